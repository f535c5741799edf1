import type { RestartBackoff } from './restart-backoff';
import { type SupervisedProcess, type SupervisedSystem, Supervisor } from './supervisor';

// The restart decisions, against a stand-in system on fake timers (the real
// processes, the gateway's 503 and its recovery: test/local-stack.spec.ts).
const backoff: RestartBackoff = { initialDelayMs: 400, maxDelayMs: 5_000, resetAfterMs: 30_000 };

class FakeProcess implements SupervisedProcess {
  private static nextPid = 100;
  readonly pid = FakeProcess.nextPid++;
  readonly readyAfterMs = 10;
  readonly child = { signalCode: null as NodeJS.Signals | null };
  running = true;
  readonly exited: Promise<number | null>;
  private resolveExit!: (code: number | null) => void;

  constructor(readonly name: string) {
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  exit(code: number | null, signal: NodeJS.Signals | null = null): void {
    this.running = false;
    this.child.signalCode = signal;
    this.resolveExit(code);
  }
}

/** One app, one replica; each restart answers with the next queued outcome. */
class FakeSystem implements SupervisedSystem {
  readonly apps = ['user-service'];
  current = new FakeProcess('user-service');
  restarts = 0;
  readonly failures: string[] = [];

  processes(): SupervisedProcess[] {
    return [this.current];
  }

  process(): SupervisedProcess {
    return this.current;
  }

  async restart(): Promise<SupervisedProcess> {
    this.restarts++;
    if (this.current.running) this.current.exit(0); // restart stops a running one first
    const failure = this.failures.shift();
    if (failure) throw new Error(`user-service exited with code 1 before it was ready; the end of the console above:\n${failure}`);
    this.current = new FakeProcess('user-service');
    return this.current;
  }
}

describe('Supervisor', () => {
  let system: FakeSystem;
  let lines: string[];
  let supervisor: Supervisor;

  beforeEach(() => {
    jest.useFakeTimers();
    system = new FakeSystem();
    lines = [];
    supervisor = new Supervisor(system, (line) => lines.push(line), backoff);
    supervisor.watchAll();
  });
  afterEach(async () => {
    await supervisor.stop();
    jest.useRealTimers();
  });

  it('restarts a crashed replica after the backoff, longer for each crash in a row, and prints each restart', async () => {
    system.current.exit(null, 'SIGKILL');
    await jest.advanceTimersByTimeAsync(399);
    expect(system.restarts).toBe(0);
    expect(lines).toEqual(['user-service exited (killed by SIGKILL), restart 1 in 400 ms']);
    await jest.advanceTimersByTimeAsync(1);
    expect(system.restarts).toBe(1);
    expect(lines[1]).toMatch(/^user-service is up again \(pid \d+, ready after 10 ms\)$/);

    system.current.exit(1);
    await jest.advanceTimersByTimeAsync(0);
    expect(lines[2]).toBe('user-service exited (code 1), restart 2 in 800 ms');
  });

  it('counts a failed start as a crash in a row, and keeps trying', async () => {
    system.failures.push('Error: connect ECONNREFUSED');
    system.current.exit(1);
    await jest.advanceTimersByTimeAsync(400);
    expect(lines[1]).toBe('user-service failed to start (user-service exited with code 1 before it was ready), restart 2 in 800 ms');
    await jest.advanceTimersByTimeAsync(800);
    expect(system.restarts).toBe(2);
    expect(lines[2]).toMatch(/is up again/);
  });

  it('forgets past crashes once the replica stayed up long enough', async () => {
    system.current.exit(1);
    await jest.advanceTimersByTimeAsync(400);
    await jest.advanceTimersByTimeAsync(30_000);
    system.current.exit(1);
    await jest.advanceTimersByTimeAsync(0);
    expect(lines.at(-1)).toBe('user-service exited (code 1), restart 1 in 400 ms');
  });

  it('restarts nothing once stopped, not even what was waiting for its backoff', async () => {
    system.current.exit(1);
    await jest.advanceTimersByTimeAsync(0);
    await supervisor.stop();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(system.restarts).toBe(0);
    system.current.exit(1); // exits seen after stop are the stop's own
    await jest.advanceTimersByTimeAsync(10_000);
    expect(lines).toEqual(['user-service exited (code 1), restart 1 in 400 ms']);
  });

  it('replaces a replica on purpose without taking its exit for a crash, and starts one waiting for its backoff only once', async () => {
    await supervisor.replace('user-service');
    expect(system.restarts).toBe(1);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(lines.filter((line) => line.includes('exited'))).toEqual([]);

    system.current.exit(1);
    await jest.advanceTimersByTimeAsync(0);
    await supervisor.replace('user-service'); // during the backoff
    await jest.advanceTimersByTimeAsync(10_000);
    expect(system.restarts).toBe(2);
  });
});
