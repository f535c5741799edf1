import { SCENARIO_NAMES, type ScenarioName } from './model';

export interface BenchOptions {
  readonly quick: boolean;
  readonly profile: boolean;
  /** Seconds of each measured run. */
  readonly durationS: number;
  /** Alternating rounds (each variant runs once per round). */
  readonly rounds: number;
  readonly concurrency: readonly number[];
  /** Seconds of load per variant before anything is measured. */
  readonly warmupS: number;
  /** Fresh starts per service for the cold-start figures (0 skips them). */
  readonly coldStarts: number;
  readonly scenarios: readonly ScenarioName[];
  /** Users seeded (CreateOrder rotates over them). */
  readonly users: number;
  /** Streaming: idle WatchOrders streams at which order-service's RSS is read (besides none). */
  readonly idleStreams: readonly number[];
  /** Streaming: users created by one ImportUsers stream, and by unary CreateUser. */
  readonly importUsers: number;
  /** Streaming: order changes per second of each change-to-client run. */
  readonly changeRates: readonly number[];
  readonly help: boolean;
}

const DEFAULTS: BenchOptions = {
  quick: false,
  profile: false,
  durationS: 6,
  rounds: 3,
  concurrency: [1, 16, 64],
  warmupS: 3,
  coldStarts: 5,
  scenarios: ['GetUser', 'CreateOrder'],
  users: 1_000,
  idleStreams: [1_000, 5_000],
  importUsers: 100_000,
  changeRates: [500, 100],
  help: false,
};

/** --quick: a smoke run of about a minute (figures too short to trust). */
const QUICK: Partial<BenchOptions> = { durationS: 2, rounds: 1, concurrency: [1, 16], warmupS: 1, coldStarts: 1, idleStreams: [250, 1_000], importUsers: 10_000 };

/** --profile: long runs at one concurrency, no cold starts (their profiles would mix in). */
const PROFILE: Partial<BenchOptions> = { durationS: 15, rounds: 1, concurrency: [16], coldStarts: 0 };

export const USAGE = `npm run bench -- [options]

  --quick              smoke run (~1 min): 2 s runs, 1 round, c=1,16, 1 cold start
                       (Streaming: 250 and 1,000 idle streams, 5 s of changes,
                       10,000 imported users)
  --profile            write CPU profiles of every server (node --cpu-prof) and
                       summarise them; 15 s runs, 1 round, c=16, no cold starts
  --duration=S         seconds per measured run (default ${DEFAULTS.durationS})
  --rounds=N           alternating rounds, medians over them (default ${DEFAULTS.rounds})
  --concurrency=1,16   in-flight requests (default ${DEFAULTS.concurrency.join(',')})
  --warmup=S           seconds of load per variant before measuring (default ${DEFAULTS.warmupS})
  --cold-starts=N      fresh starts per service (default ${DEFAULTS.coldStarts}, 0 skips)
  --scenarios=A,B      ${SCENARIO_NAMES.join(', ')} (default ${DEFAULTS.scenarios.join(', ')});
                       Telemetry: CreateOrder, direct and through the gateway,
                       with telemetry off / metrics / traces at the default
                       ratio / traces at 100 % (~5 min more);
                       Streaming: WatchOrders idle streams (RSS per 1,000),
                       change-to-client latency at 500 and 100 changes/s with
                       1,000 watchers, ImportUsers against CreateUser at c=16
                       (~2 min, on a stack of its own; selected alone,
                       nothing else is started)
  --users=N            users seeded (default ${DEFAULTS.users})
  --idle-streams=A,B   Streaming: idle streams to read RSS at (default ${DEFAULTS.idleStreams.join(',')})
  --import-users=N     Streaming: users imported / created (default ${DEFAULTS.importUsers})
  --change-rates=A,B   Streaming: changes/s of each latency run (default ${DEFAULTS.changeRates.join(',')}:
                       the issue's rate, and one well below what this machine's
                       order path can write)
`;

/** A mistake on the command line: reported as a message, without a stack. */
export class UsageError extends Error {}

const positiveInt = (name: string, value: string, min = 1): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  return n;
};

/**
 * Parses the command line. Explicit options win over --quick/--profile
 * presets, which win over the defaults. `--flag=true` is accepted because Nx
 * forwards boolean flags that way.
 */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const explicit: { -readonly [K in keyof BenchOptions]?: BenchOptions[K] } = {};
  for (const arg of argv) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}\n\n${USAGE}`);
    const [, name, value] = match as unknown as [string, string, string | undefined];
    const flag = () => {
      if (value === undefined || value === 'true') return true;
      if (value === 'false') return false;
      throw new UsageError(`--${name} takes no value, got ${JSON.stringify(value)}`);
    };
    const required = () => {
      if (value === undefined || value === '') throw new UsageError(`--${name} needs a value, e.g. --${name}=…`);
      return value;
    };
    switch (name) {
      case 'quick':
        explicit.quick = flag();
        break;
      case 'profile':
        explicit.profile = flag();
        break;
      case 'help':
        explicit.help = flag();
        break;
      case 'duration':
        explicit.durationS = positiveInt(name, required());
        break;
      case 'rounds':
        explicit.rounds = positiveInt(name, required());
        break;
      case 'warmup':
        explicit.warmupS = positiveInt(name, required(), 0);
        break;
      case 'cold-starts':
        explicit.coldStarts = positiveInt(name, required(), 0);
        break;
      case 'users':
        explicit.users = positiveInt(name, required());
        break;
      case 'idle-streams':
        explicit.idleStreams = [...new Set(required().split(',').map((c) => positiveInt(name, c.trim())))].sort((a, b) => a - b);
        break;
      case 'change-rates':
        explicit.changeRates = [...new Set(required().split(',').map((c) => positiveInt(name, c.trim())))].sort((a, b) => b - a);
        break;
      case 'import-users':
        explicit.importUsers = positiveInt(name, required());
        break;
      case 'concurrency': {
        const levels = required().split(',').map((c) => positiveInt(name, c.trim()));
        for (const c of levels) {
          if (c > 4 && c % 4 !== 0) throw new UsageError(`--concurrency: ${c} must be 1 to 4 or a multiple of 4 (spread over 4 HTTP/2 connections)`);
        }
        explicit.concurrency = [...new Set(levels)].sort((a, b) => a - b);
        break;
      }
      case 'scenarios': {
        const names = required().split(',').map((s) => s.trim());
        for (const s of names) {
          if (!(SCENARIO_NAMES as readonly string[]).includes(s)) throw new UsageError(`--scenarios: unknown scenario ${JSON.stringify(s)} (${SCENARIO_NAMES.join(', ')})`);
        }
        explicit.scenarios = names as ScenarioName[];
        break;
      }
      default:
        throw new UsageError(`unknown option --${name}\n\n${USAGE}`);
    }
  }
  const preset = { ...(explicit.quick ? QUICK : {}), ...(explicit.profile ? PROFILE : {}) };
  return { ...DEFAULTS, ...preset, ...explicit };
}
