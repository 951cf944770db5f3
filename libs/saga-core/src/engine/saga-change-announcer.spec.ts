import { SagaChange } from '../persistence/saga-store.port';
import { SagaChangeAnnouncer } from './saga-change-announcer';
import { SagaStatus } from '../model/saga-status';

describe('SagaChangeAnnouncer', () => {
  it('sends the changes gathered so far in one batch, the last status of each saga only', async () => {
    const batches: SagaChange[][] = [];
    const announcer = new SagaChangeAnnouncer(async (changes) => {
      batches.push([...changes]);
    });
    announcer.add({ sagaId: 'a', status: SagaStatus.PENDING });
    announcer.add({ sagaId: 'b', status: SagaStatus.PENDING });
    announcer.add({ sagaId: 'a', status: SagaStatus.CANCELLED });
    await announcer.flush();
    await announcer.flush();
    expect(batches).toEqual([
      [
        { sagaId: 'b', status: 'PENDING' },
        { sagaId: 'a', status: 'CANCELLED' },
      ],
    ]);
  });

  it('drops a batch it could not send and goes on with the next', async () => {
    let fail = true;
    const sent: SagaChange[] = [];
    const announcer = new SagaChangeAnnouncer(async (changes) => {
      if (fail) throw new Error('database away');
      sent.push(...changes);
    });
    jest.spyOn(announcer['logger'], 'warn').mockImplementation(() => undefined);
    announcer.add({ sagaId: 'a', status: SagaStatus.PENDING });
    await announcer.flush();
    fail = false;
    announcer.add({ sagaId: 'b', status: SagaStatus.CONFIRMED });
    await announcer.flush();
    expect(sent).toEqual([{ sagaId: 'b', status: 'CONFIRMED' }]);
  });
});
