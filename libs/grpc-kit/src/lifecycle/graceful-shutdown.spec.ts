import { z } from 'zod';
import { gracefulShutdown } from './graceful-shutdown';
import { processEnv } from './process-env';

describe('gracefulShutdown', () => {
  it('marks not ready, waits the drain delay, stops, once however often it is called', async () => {
    const steps: string[] = [];
    const logger = { log: (line: string) => steps.push(`log ${line}`), error: jest.fn() };
    const started = Date.now();
    const shutdown = gracefulShutdown({
      logger,
      announce: 'draining',
      markNotReady: () => steps.push('not ready'),
      drainDelayMs: 50,
      stop: async () => {
        steps.push(`stop after ${Date.now() - started >= 45 ? 'the delay' : 'no delay'}`);
      },
      exitOnSignal: false,
    });
    const first = shutdown('test');
    expect(shutdown('again')).toBe(first);
    await first;
    expect(steps).toEqual(['log test: draining', 'not ready', 'stop after the delay', 'log shutdown complete']);
  });
});

describe('processEnv', () => {
  it('defaults every process to info JSON logs, no drain delay, a 10 s grace period and heap growth capped at 50 %', () => {
    expect(z.object(processEnv()).parse({})).toEqual({ LOG_LEVEL: 'info', LOG_FORMAT: 'json', SHUTDOWN_DRAIN_DELAY_MS: 0, SHUTDOWN_GRACE_MS: 10_000, HEAP_GROWING_PERCENT: 50 });
  });
});
