import { clientChannelOptions } from '../client/client-channel-options';
import { CLIENT_KEEPALIVE_TIME_MS, pingPolicyFor } from './keepalive-policy';

describe('keepalive policy', () => {
  it('has our clients ping at the stated interval, and our servers accept pings twice as often', () => {
    expect(clientChannelOptions('acme.user.v1.UserService', [])['grpc.keepalive_time_ms']).toBe(CLIENT_KEEPALIVE_TIME_MS);
    expect(pingPolicyFor()).toEqual({ minIntervalMs: CLIENT_KEEPALIVE_TIME_MS / 2, maxStrikes: 2 });
  });
});
