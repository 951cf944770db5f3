import { randomUUID } from 'node:crypto';
import { SagaInstance } from '@app/saga-core/model/saga-instance';
import { SagaTransition } from '@app/saga-core/model/saga-transition';
import { StepStatus } from '@app/saga-core/model/step-status';
import { sagaEngineMigrations } from '@app/saga-core/persistence/typeorm/migrations';
import { TypeOrmSagaStore } from '@app/saga-core/persistence/typeorm/typeorm-saga.store';
import {
  at,
  contractSaga,
  stepState as step,
  transitionOf as transition,
} from '@app/saga-core/testing/contract-fixtures';
import { useTestDataSource } from '../support/postgres';

/** `SagaTransition.changedSteps`: the PostgreSQL store writes the steps it names, no other. */
describe('TypeOrmSagaStore, the steps a transition changed (PostgreSQL)', () => {
  const pg = useTestDataSource('changed_steps', sagaEngineMigrations);
  let store: TypeOrmSagaStore;

  beforeAll(() => {
    store = new TypeOrmSagaStore(pg.dataSource);
  });

  const claim = () => ({ consumer: 'c', messageId: randomUUID() });
  const writes: [string, (t: SagaTransition, expected: number) => Promise<unknown>][] = [
    [
      'an update in a transaction',
      (t, expected) => store.transaction((tx) => tx.update(t, expected)),
    ],
    ['a claimed write', (t, expected) => store.applyClaimed(t, expected, claim())],
    [
      'a write of several sagas at once',
      (t, expected) =>
        store.applyClaimedMany([{ transition: t, expectedVersion: expected, claim: claim() }]),
    ],
  ];

  it.each(writes)(
    'writes only the steps a transition names as changed, in %s',
    async (_, write) => {
      const saga = contractSaga({
        steps: [step('flight', StepStatus.RUNNING), step('hotel'), step('payment')],
      });
      await store.transaction((tx) => tx.insert(transition(saga)));
      // Step 0 differs too, but the transition names step 1 alone: the store trusts it.
      const next: SagaInstance = {
        ...saga,
        version: saga.version + 1,
        steps: [
          step('flight', StepStatus.FAILED),
          step('hotel', StepStatus.RUNNING),
          step('payment'),
        ],
        updatedAt: at(2),
      };
      await write(transition(next, { changedSteps: [1] }), saga.version);
      const stored = (await store.find(saga.id))?.steps.map((s) => s.status);
      expect(stored).toEqual([StepStatus.RUNNING, StepStatus.RUNNING, StepStatus.PENDING]);
    },
  );
});
