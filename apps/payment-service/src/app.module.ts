import { DynamicModule, Module } from '@nestjs/common';
import { messagingMigrations, SagaParticipantModule } from '@app/saga-core';
import { FaultsModule, ServiceAppModule } from '@app/platform';
import { PAYMENT_COMMANDS, TripCommandDto, tripStep } from '@app/trip-api';
import { Account } from './account.entity';
import { Payments1732260000000 } from './migrations/1732260000000-payments.migration';
import { Payment } from './payment.entity';
import { PaymentAccountsController } from './payment-accounts.controller';
import { PaymentAccountsService } from './payment-accounts.service';
import { PaymentServiceConfig } from './payment-service.config';
import { PaymentService } from './payment.service';

import { ChargePaymentDto } from './dto/charge-payment.dto';
import { PaymentStep } from './payment.step';

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
        // The trip's payment step, its command and event adapters derived from the definitions.
        SagaParticipantModule.forFeature([
          tripStep('payment', PaymentStep, { run: ChargePaymentDto, undo: TripCommandDto }),
        ]),
      ],
      controllers: [PaymentAccountsController],
      providers: [PaymentStep, PaymentAccountsService, PaymentService],
    };
  }
}
