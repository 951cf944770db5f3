import { DynamicModule, Module } from '@nestjs/common';
import { messagingMigrations } from '@app/saga-core';
import { FaultsModule, ServiceAppModule } from '@app/platform';
import { PAYMENT_COMMANDS } from '@app/trip-api';
import { Account } from './account.entity';
import { Payments1732260000000 } from './migrations/1732260000000-payments.migration';
import { Payment } from './payment.entity';
import { PaymentAccountsController } from './payment-accounts.controller';
import { PaymentAccountsService } from './payment-accounts.service';
import { PaymentCommandHandler } from './payment-command.handler';
import { PaymentEventHandler } from './payment-event.handler';
import { PaymentServiceConfig } from './payment-service.config';
import { PaymentService } from './payment.service';

@Module({})
export class AppModule {
  static forRoot(config: PaymentServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceAppModule.forRoot({
          serviceName: 'payment-service',
          config,
          entities: [Account, Payment],
          migrations: [...messagingMigrations, Payments1732260000000],
          saga: { participant: { channel: PAYMENT_COMMANDS }, choreography: {} },
        }),
        // POST/GET/DELETE /faults: runtime fault rules on this service's commands and events.
        FaultsModule,
      ],
      controllers: [PaymentAccountsController],
      providers: [
        PaymentAccountsService,
        PaymentService,
        PaymentCommandHandler,
        PaymentEventHandler,
      ],
    };
  }
}
