import { IgnoredEvent, MachineSpec, SagaMachine } from '../model/saga-machine';
import { SagaInstance } from '../model/saga-instance';
import { SagaTransition } from '../model/saga-transition';

/** The headers every message a saga sends carries, read off the saga (its labels, say). */
export type MessageHeadersOf = (saga: SagaInstance) => Record<string, string>;

type Decided<Data> = SagaTransition<Data> | IgnoredEvent | null;

/**
 * `machine`, with `headersOf(saga)` stamped on every message its transitions send, whatever
 * the style: commands, the events a tracker publishes, undo requests. A header the machine
 * set itself wins. Participants copy such headers onto what they send on (see the kit), so a
 * saga's context (its demo faults, say) travels beside the business payloads, not inside them.
 */
export function withMessageHeaders<Data, Spec extends MachineSpec>(
  machine: SagaMachine<Data, Spec>,
  headersOf: MessageHeadersOf,
): SagaMachine<Data, Spec> {
  const stamp = <D extends Decided<Data>>(decided: D): D => {
    if (!decided || 'ignored' in decided || decided.messages.length === 0) return decided;
    const headers = headersOf(decided.instance as SagaInstance);
    if (Object.keys(headers).length === 0) return decided;
    for (const message of decided.messages) {
      message.headers = { ...headers, ...message.headers };
    }
    return decided;
  };
  const { onReply, onEvent } = machine;
  return {
    spec: machine.spec,
    inputs: machine.inputs,
    start: (input) => stamp(machine.start(input)),
    onReply: onReply && ((current, reply) => stamp(onReply.call(machine, current, reply))),
    onEvent: onEvent && ((current, event) => stamp(onEvent.call(machine, current, event))),
    onTimer: (current, timer) => stamp(machine.onTimer(current, timer)),
    cancel: (current, by) => stamp(machine.cancel(current, by)),
    retryCompensation: (current, by) => stamp(machine.retryCompensation(current, by)),
  };
}
