import { Injectable } from '@nestjs/common';
import { MessageTransport } from './transport/message-transport';

/** The broker half of `/health`; apps combine it with Terminus' database ping. */
@Injectable()
export class SagaHealthIndicator {
  constructor(private readonly transport: MessageTransport) {}

  brokerConnected(): boolean {
    return this.transport.isConnected();
  }
}
