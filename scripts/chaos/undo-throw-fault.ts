import { TRIP_PARTICIPANTS, TripParticipant } from '@app/trip-api';
import { ChannelModel, connect } from 'amqplib';
import { mulberry32 } from '../support/mulberry32';
import { AppProcess } from './app-process';
import { RuntimeFaultInjector } from './runtime-faults';
import { tripSteps } from '../support/trip-steps';

type Mode = 'orchestrated' | 'choreographed';

const PARTICIPANTS: readonly TripParticipant[] = TRIP_PARTICIPANTS;
const MODES: readonly Mode[] = ['orchestrated', 'choreographed'];

/**
 * What asks each participant for its undo: the compensation command (orchestrated), and the
 * events its undo reacts to (choreographed) besides its own undo request; and the queue each
 * mode's undo messages wait on, whose dead letters this fault may cause.
 */
const UNDO = new Map(
  tripSteps().map((step) => [
    step.name,
    {
      messages: {
        orchestrated: step.compensation ? [step.compensation] : [],
        choreographed: step.undoneOn,
      } as Record<Mode, readonly string[]>,
      queues: { orchestrated: step.commandQueue, choreographed: step.eventQueue } as Record<
        Mode,
        string
      >,
    },
  ]),
);

function undoOf(participant: TripParticipant) {
  const undo = UNDO.get(participant);
  if (!undo) throw new Error(`${participant} is not a step of the trip`);
  return undo;
}

/** A queue delivers a message 6 times (delivery limit 5) before the broker dead-letters it. */
const DELIVERIES = 6;
/**
 * Firings of one rule. Orchestrated: enough to dead-letter the 5 tries of one compensation,
 * after which its saga ends COMPENSATION_FAILED. Choreographed: the participant announces its
 * failure on the 5th try, so two undos' worth.
 */
const FIRINGS: Record<Mode, number> = { orchestrated: 5 * DELIVERIES, choreographed: 2 * 5 };

/** One rule on one participant: `throw` on an undo message, `count` times. */
export interface UndoThrowRule {
  participant: TripParticipant;
  mode: Mode;
  match: string;
  count: number;
  /**
   * Its firings on every process of the app, read before it is cleared; null when a restart
   * of one of them lost the rule there.
   */
  hits: number | null;
  /** Processes of the app the rule went to, each with its own `count`. */
  installedOn: number;
}

export interface UndoThrowReport {
  rules: UndoThrowRule[];
  /** Messages of the rules' types that the broker dead-letters past their delivery limit. */
  deadLetters: number;
  violations: string[];
}

/**
 * The run's undo faults, seeded: `n` of them, each a participant that throws on what asks it
 * for its undo in one mode (every such message type gets a rule), the modes in turn.
 */
export function planUndoThrows(n: number, seed: number): UndoThrowRule[] {
  const random = mulberry32(seed ^ 0x0dd0);
  const rules: UndoThrowRule[] = [];
  // The modes take turns, from a seeded one, so that two faults or more cover both.
  const firstMode = Math.floor(random() * MODES.length);
  for (let i = 0; i < n; i++) {
    const participant = PARTICIPANTS[Math.floor(random() * PARTICIPANTS.length)];
    const mode = MODES[(firstMode + i) % MODES.length];
    for (const match of undoOf(participant).messages[mode]) {
      // The same fault drawn twice fires twice as often: one rule per message type.
      const same = rules.find((r) => r.participant === participant && r.match === match);
      if (same) same.count += FIRINGS[mode];
      else
        rules.push({ participant, mode, match, count: FIRINGS[mode], hits: null, installedOn: 0 });
    }
  }
  return rules;
}

/**
 * A participant that throws on an undo until it is dead-lettered (orchestrated: the command
 * is, and the saga's compensation times out and retries) or given up (choreographed: the
 * participant announces its failure). Every booking still ends, `COMPENSATION_FAILED`
 * allowed; the report counts what it caused: the dead letters of its rules' types, which the
 * run adds to the poison it expects there, and no more than its firings can explain.
 */
export class UndoThrowFault implements RuntimeFaultInjector {
  constructor(readonly rules: UndoThrowRule[]) {}

  /** Installs every rule on every process of its app (each with the rule's count). */
  async install(participants: readonly AppProcess[]): Promise<number> {
    for (const rule of this.rules) {
      const { match, count } = rule;
      const apps = appsOf(participants, rule);
      for (const app of apps) {
        const response = await fetch(`${app.url}/faults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ match, action: 'throw', count }),
        });
        if (response.status !== 201) throw new Error(`fault rule on ${match}: ${response.status}`);
      }
      rule.installedOn = apps.length;
    }
    return this.rules.length;
  }

  /** Reads each rule's firings, then removes the rules, so no undo keeps failing. */
  async clear(participants: readonly AppProcess[]): Promise<void> {
    for (const rule of this.rules) {
      let hits: number | null = 0;
      for (const app of appsOf(participants, rule)) {
        const url = `${app.url}/faults`;
        try {
          const listed = (await (await fetch(url)).json()) as { match: string; hits: number }[];
          const found = listed.find((r) => r.match === rule.match)?.hits;
          hits = found === undefined || hits === null ? null : hits + found;
          await fetch(url, { method: 'DELETE' });
        } catch {
          // The app is away (killed, restarting): its rules went with it.
          hits = null;
        }
      }
      rule.hits = hits;
    }
  }

  /** Looks at the dead letters the rules may have caused (they stay where they are). */
  async report(amqpUrl: string): Promise<UndoThrowReport> {
    const connection = await connect(amqpUrl);
    try {
      const violations: string[] = [];
      let deadLetters = 0;
      for (const queue of new Set(this.rules.map((r) => undoOf(r.participant).queues[r.mode]))) {
        const rules = this.rules.filter((r) => undoOf(r.participant).queues[r.mode] === queue);
        const types = await deliveryLimitDeadLetters(connection, `${queue}.dead-letter`).catch(
          (error: unknown) => {
            violations.push(`cannot read ${queue}.dead-letter: ${String(error)}`);
            return [];
          },
        );
        for (const rule of rules) {
          const n = types.filter((t) => t === rule.match).length;
          deadLetters += n;
          // Each dead letter took a full set of deliveries, each one a firing of its rule; a
          // rule lost with a restart of a process fired at most its count on each process.
          const fired = rule.hits ?? rule.count * Math.max(1, rule.installedOn);
          if (n * DELIVERIES > fired) {
            violations.push(`${n} ${rule.match} dead-lettered, its rule fired at most ${fired}`);
          }
        }
      }
      return { rules: this.rules, deadLetters, violations };
    } finally {
      await connection.close().catch(() => undefined);
    }
  }
}

/** Every process of the rule's participant app (several when the run has more instances). */
function appsOf(participants: readonly AppProcess[], rule: { participant: TripParticipant }) {
  const apps = participants.filter((p) => p.serviceName === `${rule.participant}-service`);
  if (apps.length === 0) throw new Error(`no ${rule.participant}-service process`);
  return apps;
}

/**
 * The types of the messages a dead-letter queue holds because they reached their delivery
 * limit (poison is dead-lettered with its own reason). Each is read and left unacked; closing the
 * channel hands them all back.
 */
async function deliveryLimitDeadLetters(connection: ChannelModel, queue: string) {
  const channel = await connection.createChannel();
  const types: string[] = [];
  try {
    for (let i = 0; i < 10_000; i++) {
      const message = await channel.get(queue, { noAck: false });
      if (!message) break;
      const headers = message.properties.headers ?? {};
      // The broker's own dead letter, or the consumer's copy that says why it gave up.
      const byBroker = headers['x-first-death-reason'] === 'delivery_limit';
      const byConsumer = headers['x-saga-dead-letter-reason'] === 'delivery-limit';
      if (byBroker || byConsumer) {
        types.push(String(message.properties.type));
      }
    }
  } finally {
    await channel.close().catch(() => undefined);
  }
  return types;
}
