import { Module } from '@nestjs/common';
import { FaultInjectionGuard } from './fault-injection.guard';
import { FaultsController } from './faults.controller';

/**
 * Adds `/faults` to a participant, to set its runtime fault rules. The rules themselves
 * (`FaultRules`) come with `SagaModule`, whose dispatchers consult them.
 */
@Module({
  controllers: [FaultsController],
  providers: [FaultInjectionGuard],
})
export class FaultsModule {}
