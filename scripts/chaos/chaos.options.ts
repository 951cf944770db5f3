import {
  applyFlags,
  FlagSetter,
  fraction,
  integer,
  nonEmpty,
  oneOf,
  UsageFailure,
} from '../support/cli-flags';
import { UsageError } from '../support/command-line';

/** How "RabbitMQ restarts" and "PostgreSQL stops" are made. */
export const OUTAGE_KINDS = ['proxy', 'real'] as const;
export type OutageKind = (typeof OUTAGE_KINDS)[number];

export interface ChaosOptions {
  bookings: number;
  seed: number;
  /** Bookings being sent at once. */
  concurrency: number;
  /**
   * `proxy`: every app reaches PostgreSQL and RabbitMQ through its own loopback proxy, and an
   * outage cuts them all; `real`: the real servers are stopped (a quiet machine only).
   */
  outages: OutageKind;
  /** Apps killed with SIGKILL, then restarted, while bookings are sent. */
  kills: number;
  /** "RabbitMQ restarts" while bookings are sent. */
  brokerOutages: number;
  /** "PostgreSQL stops" while bookings are sent. */
  databaseOutages: number;
  /** How long each outage lasts. */
  outageMs: number;
  /** Processes frozen (SIGSTOP) inside a transaction, then thawed (SIGCONT). */
  freezes: number;
  /** How long each freeze lasts; 0: twice the step timeout. */
  freezeMs: number;
  /** Timers planted in the orchestrators' database that cannot fire: each must end parked. */
  poisonTimers: number;
  /** Share of bookings with at least one injected fault. */
  faultRate: number;
  /** Poison messages published to the work queues: the dead-letter queues must hold exactly these. */
  poison: number;
  /** Participants that throw on an undo (a compensation command or event): `undo-throw-fault.ts`. */
  undoThrows: number;
  /** Well-formed commands with a reply queue no participant may answer on; dead-lettered too. */
  hostileReplyTo: number;
  /** STEP_TIMEOUT_MS of the orchestrators. */
  stepTimeoutMs: number;
  /** The whole run, setup to checks, is bounded by this; bookings still open then are pending. */
  durationLimitMs: number;
  /**
   * Processes of every participant app, competing for its queues on its one database, and of
   * the orchestrator (at least two).
   */
  instances: number;
  /** Keep the databases and the vhost afterwards, to look at them. */
  keep: boolean;
  reportDir: string;
  /** The PostgreSQL server and RabbitMQ broker to use. */
  postgresUrl: string;
  amqpHost: string;
  amqpPort: number;
}

export const CHAOS_USAGE = `Usage: npm run chaos -- --bookings N [flags]

  --bookings N           bookings to send, in both modes at random (required)
  --seed S               seed of the bookings, their faults and the disruptions (default 1)
  --concurrency C        bookings being sent at once (default 8)
  --outages proxy|real   proxy (default): cut every app's loopback proxies to the servers;
                         real: stop RabbitMQ and PostgreSQL themselves (a quiet machine only)
  --kills K              apps killed with SIGKILL and restarted (default: 1 per 50 bookings, at least 2)
  --broker-outages B     RabbitMQ outages (default: 1 per 100 bookings, at least 1)
  --database-outages D   PostgreSQL outages (default: 1 per 100 bookings, at least 1)
  --outage-ms MS         length of each outage (default 3000)
  --freezes F            processes frozen with SIGSTOP while they hold a transaction, then thawed
                         (default: 1 per 150 bookings, at least 1)
  --freeze-ms MS         length of each freeze (default: twice the step timeout)
  --poison-timers T      timers planted in the database that cannot fire, due before all others;
                         each must end parked (default: 1 per 100 bookings, at least 2)
  --fault-rate P         share of bookings with injected faults, 0..1 (default 0.4)
  --poison N             poison messages (not JSON, unknown type, invalid) published to the
                         work queues while bookings run (default: 1 per 25 bookings, at least 3)
  --undo-throws N        participants that throw on an undo (a compensation command or the
                         event that asks for it) until it is dead-lettered or given up
                         (default: 1 per 100 bookings, at least 1)
  --hostile-reply-to N   commands published to the participants' queues with a replyTo that
                         exists with other arguments, is reserved (amq.*) or is random
                         (default: 1 per 50 bookings, at least 3)
  --step-timeout-ms MS   the orchestrators' step timeout (default 3000)
  --duration-limit S     bound on the whole run, in seconds (default 900)
  --instances N          processes of every participant app, competing for its queues on its
                         one database, and of the orchestrator, at least 2 (default 1, up to 4)
  --report-dir DIR       where reports/chaos-<timestamp>.json goes (default reports)
  --keep                 keep the run's databases and RabbitMQ vhost afterwards

Environment: CHAOS_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432),
CHAOS_AMQP_HOST and CHAOS_AMQP_PORT (default 127.0.0.1:5672, guest/guest).`;

type Env = Record<string, string | undefined>;

export function defaultChaosOptions(bookings: number, env: Env = process.env): ChaosOptions {
  return {
    bookings,
    seed: 1,
    concurrency: 8,
    outages: 'proxy',
    kills: Math.max(2, Math.round(bookings / 50)),
    brokerOutages: Math.max(1, Math.round(bookings / 100)),
    databaseOutages: Math.max(1, Math.round(bookings / 100)),
    outageMs: 3_000,
    freezes: Math.max(1, Math.round(bookings / 150)),
    freezeMs: 0,
    poisonTimers: Math.max(2, Math.round(bookings / 100)),
    faultRate: 0.4,
    poison: Math.max(3, Math.round(bookings / 25)),
    undoThrows: Math.max(1, Math.round(bookings / 100)),
    hostileReplyTo: Math.max(3, Math.round(bookings / 50)),
    stepTimeoutMs: 3_000,
    durationLimitMs: 900_000,
    instances: 1,
    keep: false,
    reportDir: 'reports',
    postgresUrl: env.CHAOS_POSTGRES_URL?.trim() || 'postgres://postgres@127.0.0.1:5432',
    amqpHost: env.CHAOS_AMQP_HOST?.trim() || '127.0.0.1',
    amqpPort: Number(env.CHAOS_AMQP_PORT?.trim() || 5672),
  };
}

const usage: UsageFailure = (message) => new UsageError(message);

const FLAGS: Record<string, FlagSetter<ChaosOptions>> = {
  '--bookings': (o, v, f) => (o.bookings = integer(v, f, 1, 100_000, usage)),
  '--seed': (o, v, f) => (o.seed = integer(v, f, 0, 2 ** 32 - 1, usage)),
  '--concurrency': (o, v, f) => (o.concurrency = integer(v, f, 1, 256, usage)),
  '--outages': (o, v, f) => (o.outages = oneOf(v, f, OUTAGE_KINDS, usage)),
  '--kills': (o, v, f) => (o.kills = integer(v, f, 0, 1_000, usage)),
  '--broker-outages': (o, v, f) => (o.brokerOutages = integer(v, f, 0, 1_000, usage)),
  '--database-outages': (o, v, f) => (o.databaseOutages = integer(v, f, 0, 1_000, usage)),
  '--outage-ms': (o, v, f) => (o.outageMs = integer(v, f, 100, 120_000, usage)),
  '--freezes': (o, v, f) => (o.freezes = integer(v, f, 0, 1_000, usage)),
  '--freeze-ms': (o, v, f) => (o.freezeMs = integer(v, f, 100, 120_000, usage)),
  '--poison-timers': (o, v, f) => (o.poisonTimers = integer(v, f, 0, 1_000, usage)),
  '--fault-rate': (o, v, f) => (o.faultRate = fraction(v, f, usage)),
  '--poison': (o, v, f) => (o.poison = integer(v, f, 0, 10_000, usage)),
  '--undo-throws': (o, v, f) => (o.undoThrows = integer(v, f, 0, 100, usage)),
  '--hostile-reply-to': (o, v, f) => (o.hostileReplyTo = integer(v, f, 0, 10_000, usage)),
  '--step-timeout-ms': (o, v, f) => (o.stepTimeoutMs = integer(v, f, 100, 600_000, usage)),
  '--duration-limit': (o, v, f) => (o.durationLimitMs = integer(v, f, 10, 86_400, usage) * 1_000),
  '--instances': (o, v, f) => (o.instances = integer(v, f, 1, 4, usage)),
  '--report-dir': (o, v, f) => (o.reportDir = nonEmpty(v, f, usage)),
};

/**
 * Reads the command line. The defaults that scale with the size (kills, outages, poison, undo
 * throws) follow `--bookings` unless given themselves, whatever the order of the flags.
 */
export function parseChaosArgs(argv: readonly string[], env: Env = process.env): ChaosOptions {
  const given = applyFlags(argv, { ...defaultChaosOptions(0, env), bookings: 0 }, FLAGS, usage, {
    '--keep': (o) => (o.keep = true),
  });
  if (given.bookings === 0) throw usage('--bookings N is required');
  const scaled = defaultChaosOptions(given.bookings, env);
  const named = new Set(argv.map((arg) => arg.split('=')[0]));
  const keep = <K extends keyof ChaosOptions>(flag: string, key: K): ChaosOptions[K] =>
    named.has(flag) ? given[key] : scaled[key];
  return {
    ...given,
    kills: keep('--kills', 'kills'),
    brokerOutages: keep('--broker-outages', 'brokerOutages'),
    databaseOutages: keep('--database-outages', 'databaseOutages'),
    poison: keep('--poison', 'poison'),
    undoThrows: keep('--undo-throws', 'undoThrows'),
    freezes: keep('--freezes', 'freezes'),
    poisonTimers: keep('--poison-timers', 'poisonTimers'),
    hostileReplyTo: keep('--hostile-reply-to', 'hostileReplyTo'),
  };
}
