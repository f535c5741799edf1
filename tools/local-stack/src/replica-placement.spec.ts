import { placeReplicas } from './replica-placement';

describe('where the processes listen', () => {
  it('gives replicas a port each on loopback, and every app one address elsewhere', () => {
    expect(placeReplicas(['user-service', 'api-gateway'], { 'user-service': 2 }, '127.0.0.1')).toEqual({ 'user-service': { count: 2 } });
    expect(placeReplicas(['user-service', 'api-gateway'], {}, '0.0.0.0')).toEqual({ 'user-service': { hosts: ['0.0.0.0'] }, 'api-gateway': { hosts: ['0.0.0.0'] } });
  });

  it('refuses replicas on a host where they would share one address', () => {
    expect(() => placeReplicas(['user-service'], { 'user-service': 2 }, '0.0.0.0')).toThrow('--replicas (user-service) needs the default LOCAL_STACK_HOST (127.0.0.1): on 0.0.0.0 each app has one address');
  });
});
