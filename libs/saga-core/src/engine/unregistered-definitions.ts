import { Logger } from '@nestjs/common';
import { SagaStore } from '../persistence/saga-store.port';
import { IncomingMessage } from '../transport/message-envelope';
import { MessageTransport } from '../transport/message-transport';
import {
  isUnregisteredDefinition,
  UnregisteredDefinitionError,
} from '../errors/unregistered-definition.error';
import { SagaRegistry } from './saga-registry';

/**
 * What an orchestrator does with PENDING sagas pinned to a definition version it does not
 * register: `refuse` to start (the default: a deploy that dropped a version still in use is a
 * mistake to stop at once), or `leave` them to an instance that registers that version.
 */
export type UnregisteredVersions = 'refuse' | 'leave';

/** How long a message of another instance's saga is held before it goes back to its queue. */
export const HAND_BACK_DELAY_MS = 1_000;

/**
 * Run at start, before anything is consumed: in `refuse` mode, throws naming each definition
 * and version and how many PENDING sagas it has; in `leave` mode, says what is left alone.
 */
export async function checkPendingDefinitions(
  store: SagaStore,
  registry: SagaRegistry,
  mode: UnregisteredVersions,
  logger: Logger,
): Promise<void> {
  const foreign = (await store.pendingDefinitions()).filter(
    (d) => !registry.has(d.name, d.version),
  );
  if (foreign.length === 0) return;
  const total = foreign.reduce((n, d) => n + d.sagas, 0);
  const list = foreign
    .map((d) => `${d.name} v${d.version} (${d.sagas} saga${d.sagas === 1 ? '' : 's'})`)
    .join(', ');
  if (mode === 'refuse') {
    throw new UnregisteredDefinitionError(
      `refusing to start: ${total} PENDING saga${total === 1 ? ' is' : 's are'} pinned to ` +
        `definitions this process does not register: ${list}. Register those versions, or ` +
        'leave these sagas to an instance that does (SAGA_UNREGISTERED_VERSIONS=leave, ' +
        "orchestrator.unregisteredVersions: 'leave')",
    );
  }
  logger.warn(
    `leaving ${total} PENDING saga${total === 1 ? '' : 's'} of ${list} to an instance that ` +
      'registers them: their timers are not claimed here, their replies and events go back ' +
      'to the queue',
  );
}

/**
 * Runs `handle`; when the message's saga is pinned to a version this process does not
 * register, hands the message back to `queue` instead (its inbox claim was rolled back with
 * the transaction that found out) and resolves, so that the delivery is acked.
 */
export async function leavingUnregistered(
  transport: MessageTransport,
  message: IncomingMessage,
  queue: string,
  handle: () => Promise<void>,
): Promise<void> {
  try {
    await handle();
  } catch (error) {
    if (!isUnregisteredDefinition(error)) throw error;
    await handBack(transport, message, queue);
  }
}

/**
 * Gives a message of a saga that this process cannot run back to `queue` as a fresh copy
 * (same id, so the inbox of whoever handles it still deduplicates), after a pause so that an
 * instance that registers the saga's version gets its turn. The caller then acks the
 * delivery: returning it instead would count towards the delivery limit and dead-letter a
 * message that is perfectly good.
 */
export async function handBack(
  transport: MessageTransport,
  message: IncomingMessage,
  queue: string,
): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, HAND_BACK_DELAY_MS));
  const headers = Object.fromEntries(
    Object.entries(message.headers).filter(
      (entry): entry is [string, string | number] =>
        !entry[0].startsWith('x-') && ['string', 'number'].includes(typeof entry[1]),
    ),
  );
  await transport.publish({
    messageId: message.messageId,
    exchange: '',
    routingKey: queue,
    type: message.type,
    body: message.body as object,
    headers,
  });
}
