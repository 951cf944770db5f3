import type { SagaAdapterContext } from '../persistence/saga-storage';
import { MessageTransport } from './message-transport';

/**
 * The broker an app's sagas talk over: `rabbitMqTransport({ url })` or `inMemoryTransport()`
 * from the testing entry. It is chosen in `SagaModule.forRoot({ transport })`; the module
 * closes it when the app shuts down.
 */
export interface SagaTransport {
  readonly name: string;
  connect(context: SagaAdapterContext): MessageTransport | Promise<MessageTransport>;
}
