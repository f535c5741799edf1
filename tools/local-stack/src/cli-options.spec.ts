import { parseLocalStackOptions } from './cli-options';

const apps = [
  { name: 'user-service', protocol: 'grpc' as const },
  { name: 'order-service', protocol: 'grpc' as const },
  { name: 'api-gateway', protocol: 'http' as const },
];

describe('npm start options', () => {
  it('reads replicas from the flag (repeated, comma-separated, as Nx forwards it) and the variable, the flag winning', () => {
    expect(parseLocalStackOptions(['--replicas', 'user-service=2'], {}, apps)).toEqual({ replicas: { 'user-service': 2 }, watch: false });
    expect(parseLocalStackOptions(['--replicas=user-service=3,order-service=2'], {}, apps).replicas).toEqual({ 'user-service': 3, 'order-service': 2 });
    expect(parseLocalStackOptions(['--replicas=user-service=3'], { LOCAL_STACK_REPLICAS: 'user-service=2,order-service=2' }, apps).replicas).toEqual({
      'user-service': 3,
      'order-service': 2,
    });
    expect(parseLocalStackOptions([], {}, apps)).toEqual({ replicas: {}, watch: false });
    expect(parseLocalStackOptions(['--watch', '--replicas', 'user-service=1'], {}, apps)).toEqual({ replicas: {}, watch: true });
  });

  it('names what is wrong', () => {
    expect(() => parseLocalStackOptions(['--replicas', 'user-service'], {}, apps)).toThrow('"user-service" is not <app>=<count>, e.g. user-service=2');
    expect(() => parseLocalStackOptions(['--replicas', 'users=2'], {}, apps)).toThrow('no app named users (apps: user-service, order-service, api-gateway)');
    expect(() => parseLocalStackOptions(['--replicas', 'api-gateway=2'], {}, apps)).toThrow('api-gateway serves http; only gRPC apps take replicas');
    expect(() => parseLocalStackOptions(['--replicas', 'user-service=0'], {}, apps)).toThrow('user-service=0: at least 1');
    expect(() => parseLocalStackOptions(['--replics', 'user-service=2'], {}, apps)).toThrow(/Unknown option '--replics'/);
  });
});
