import { z } from 'zod';
import { loadConfig } from '@acme/config';
import { consumerEnv, messagingEnv, messagingSettingsFromEnv, redactAmqpUrl } from './messaging-env';

const schema = z.object({ ...messagingEnv(), ...consumerEnv() });

describe('messaging environment', () => {
  it('treats an unset or empty AMQP_URL as "no broker" and applies defaults', () => {
    for (const env of [{}, { AMQP_URL: '' }, { AMQP_URL: '  ' }]) {
      const config = loadConfig(schema, env);
      expect(config.AMQP_URL).toBeUndefined();
      expect(config).toMatchObject({ AMQP_EXCHANGE: 'acme.events', OUTBOX_BATCH_SIZE: 100, AMQP_PREFETCH: 10 });
      expect(messagingSettingsFromEnv(config, 'svc').url).toBeUndefined();
    }
  });

  it('accepts amqp:// and amqps:// URLs', () => {
    expect(loadConfig(schema, { AMQP_URL: 'amqps://u:p@broker:5671/prod' }).AMQP_URL).toBe('amqps://u:p@broker:5671/prod');
  });

  it('names each malformed variable', () => {
    expect(() => loadConfig(schema, { AMQP_URL: 'http://broker', AMQP_EXCHANGE: 'has space', OUTBOX_BATCH_SIZE: '0' })).toThrow(
      /AMQP_URL: expected an amqp:\/\/ or amqps:\/\/ URL[\s\S]*AMQP_EXCHANGE: expected an exchange name[\s\S]*OUTBOX_BATCH_SIZE: expected an integer 1\.\.1000/,
    );
  });

  it('keeps passwords out of logged URLs', () => {
    expect(redactAmqpUrl('amqp://user:s3cret@broker:5672/vh')).toBe('amqp://user:***@broker:5672/vh');
    expect(redactAmqpUrl('amqp://broker')).toBe('amqp://broker');
  });
});
