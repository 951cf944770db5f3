import { SagaStateError } from '../errors/saga-state.error';
import { AuditEntry, AuditType } from '../model/audit-entry';
import { SagaInstance } from '../model/saga-instance';
import { OperatorRequest } from '../model/saga-machine';
import { SagaTransition } from '../model/saga-transition';
import { inSagaSpan } from '../observability/trace-context';
import { SagaStore } from '../persistence/saga-store.port';
import { allowedOperatorActions } from './operator-actions';
import { RegisteredMachine } from './saga-machine-factories';
import { SagaRegistry } from './saga-registry';
import { SagaWriter } from './saga-writer';

/** What an operator does to one saga: cancel it, retry its compensation or its timer, annotate it. */
export class SagaOperator {
  constructor(
    private readonly store: SagaStore,
    private readonly registry: SagaRegistry,
    private readonly writer: SagaWriter,
    private readonly service: string,
  ) {}

  cancel(sagaId: string, by: OperatorRequest): Promise<SagaInstance | null> {
    return this.act(sagaId, 'cancel', (machine, saga) => machine.cancel(saga, by));
  }

  retryCompensation(sagaId: string, by: OperatorRequest): Promise<SagaInstance | null> {
    return this.act(sagaId, 'retry its compensation', (machine, saga) =>
      machine.retryCompensation(saga, by),
    );
  }

  async retryTimer(sagaId: string, by: OperatorRequest): Promise<SagaInstance | null> {
    const saga = await this.store.find(sagaId);
    if (!saga) return null;
    const at = new Date();
    const audit = [
      { sagaId, at, type: AuditType.OPERATOR_RETRIED_TIMER, step: null, detail: { ...by } },
    ];
    if (!(await this.store.retryParkedTimer(sagaId, at, audit))) {
      throw new SagaStateError(`cannot retry its timer: saga ${sagaId} has no parked timer`);
    }
    return saga;
  }

  async annotate(sagaId: string, line: Omit<AuditEntry, 'sagaId' | 'at'>): Promise<boolean> {
    const outcome = await this.writer.underLock(sagaId, async (saga): Promise<SagaTransition> => {
      const instance = { ...saga, version: saga.version + 1 };
      const audit = [{ ...line, sagaId, at: new Date() }];
      return { instance, audit, messages: [], timer: undefined };
    });
    return outcome !== null;
  }

  allowedActions(saga: SagaInstance): { cancel: boolean; retryCompensation: boolean } {
    try {
      const machine = this.registry.machine(saga.definitionName, saga.definitionVersion);
      return allowedOperatorActions(machine, saga);
    } catch {
      // A definition this app does not run: it cannot act on the saga at all.
      return { cancel: false, retryCompensation: false };
    }
  }

  private async act(
    sagaId: string,
    what: string,
    decide: (machine: RegisteredMachine, saga: SagaInstance) => SagaTransition | null,
  ): Promise<SagaInstance | null> {
    const outcome = await this.writer.underLock(sagaId, (saga) =>
      inSagaSpan(`saga operator: ${what}`, saga, this.service, async () => {
        const machine = this.registry.machine(saga.definitionName, saga.definitionVersion);
        const result = decide(machine, saga);
        if (!result) throw new SagaStateError(`cannot ${what}: saga ${sagaId} is ${saga.status}`);
        return result;
      }),
    );
    return outcome?.transition.instance ?? null;
  }
}
