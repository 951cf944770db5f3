import { SagaInstance } from '../model/saga-instance';
import { MachineDecision } from '../model/saga-machine';
import { isTerminal } from '../model/saga-status';
import { SagaTransition } from '../model/saga-transition';
import { MessageClaim } from '../persistence/saga-store.port';
import { asTransition } from './engine-transitions';

/** Messages of one saga decided together at most. */
const MOST_MEMBERS = 8;

/** A message of the saga and how it is decided, as the writer was handed it. */
export interface DecisionMember {
  claim: MessageClaim;
  decide: (instance: SagaInstance) => MachineDecision;
}

/** A saga's decisions held for its next message: what they do together, and who made them. */
export interface LingeringGroup {
  /** The members' transitions merged, from the copy the first member was decided on. */
  transition: SagaTransition;
  readonly members: DecisionMember[];
  /** Resolves once the group stops taking members: its time is up, or a member ended it. */
  readonly released: Promise<void>;
  /**
   * Settles the members that joined, with each one's failure if it has one (`failures` by
   * member: the first member's is its caller's own to throw).
   */
  settle(failures?: readonly unknown[]): void;
}

interface Entry extends LingeringGroup {
  release(): void;
  joined: { resolve(): void; reject(error: unknown): void }[];
}

/**
 * A decision that sends nothing and leaves its saga waiting (the first reply of steps that run
 * at once, an event a choreography's tracker only records) is not written at once: it waits
 * up to `lingerMs` for the saga's next message, which is decided on top of it, and both go out
 * in one write, claiming both messages. The decision after which the saga sends, ends, or
 * waits on nothing more is written at once with what it joined, so the path of a saga never
 * waits for the linger: only a write that nothing waits for does. The messages stay unacked
 * while they linger, so a crash hands them back to the broker; `mostHeld` bounds how many of
 * them are held at once, below the reply queue's prefetch.
 */
export class LingeringDecisions {
  private readonly groups = new Map<string, Entry>();
  private held = 0;

  constructor(
    private readonly lingerMs: number,
    private readonly mostHeld: number,
  ) {}

  /**
   * Whether the transition may wait for the saga's next message before it is written: not if
   * a deadline the saga already had (`before`'s) could come due meanwhile, since its timer would
   * then find the message's effect unwritten and time the step out.
   */
  mayLinger(transition: SagaTransition, before: SagaInstance, members = 1): boolean {
    const saga = transition.instance;
    return (
      this.lingerMs > 0 &&
      members < MOST_MEMBERS &&
      transition.messages.length === 0 &&
      !isTerminal(saga.status) &&
      saga.awaiting.length > 0 &&
      before.awaiting.every(
        (a) => !a.fireAt || Date.parse(a.fireAt) - Date.now() > 2 * this.lingerMs,
      )
    );
  }

  /** Holds the first member's decision, until the linger is up or a member ends the group. */
  hold(transition: SagaTransition, first: DecisionMember): LingeringGroup {
    const sagaId = transition.instance.id;
    let release = () => undefined as void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const entry: Entry = {
      transition,
      members: [first],
      released,
      joined: [],
      release: () => {
        if (this.groups.get(sagaId) !== entry) return;
        this.groups.delete(sagaId);
        this.held -= entry.members.length;
        clearTimeout(timer);
        release();
      },
      settle: (failures: readonly unknown[] = []) => {
        entry.joined.forEach((member, i) => {
          const failure = failures[i + 1];
          if (failure === undefined) member.resolve();
          else member.reject(failure);
        });
      },
    };
    const timer = setTimeout(entry.release, this.lingerMs);
    this.groups.set(sagaId, entry);
    this.held++;
    return entry;
  }

  /** Whether another decision may be held now (`mostHeld`). */
  hasRoom(): boolean {
    return this.held < this.mostHeld;
  }

  /**
   * Decides a message of a saga that has a group lingering, on top of the group, and adds it:
   * resolves once the group is written. Null when no group lingers for this saga and claim's
   * consumer (the caller then writes the message as usual).
   */
  join(sagaId: string, member: DecisionMember): Promise<void> | null {
    const entry = this.groups.get(sagaId);
    if (!entry || entry.members[0].claim.consumer !== member.claim.consumer) return null;
    const current = entry.transition.instance;
    const decided = member.decide(current);
    // A message that changes nothing is not claimed, as when it comes alone.
    if (!decided) return Promise.resolve();
    const next = asTransition(current, decided);
    entry.transition = merged(entry.transition, next);
    entry.members.push(member);
    this.held++;
    const done = new Promise<void>((resolve, reject) => entry.joined.push({ resolve, reject }));
    const full = this.held > this.mostHeld;
    if (full || !this.mayLinger(entry.transition, current, entry.members.length)) entry.release();
    return done;
  }
}

/** `first` then `second` as one transition from `first`'s starting point. */
function merged(first: SagaTransition, second: SagaTransition): SagaTransition {
  return {
    instance: second.instance,
    audit: [...first.audit, ...second.audit],
    messages: [...first.messages, ...second.messages],
    timer: second.timer !== undefined ? second.timer : first.timer,
  };
}

/** The claim of a group: its last message's, carrying the earlier ones. */
export function groupClaim(members: readonly DecisionMember[]): MessageClaim {
  const last = members[members.length - 1].claim;
  if (members.length === 1) return last;
  const alsoClaims = members.slice(0, -1).map((m) => m.claim.messageId);
  return { consumer: last.consumer, messageId: last.messageId, alsoClaims };
}
