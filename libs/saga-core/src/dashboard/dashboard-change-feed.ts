import { Inject, Injectable } from '@nestjs/common';
import { Observable, share } from 'rxjs';
import { SAGA_STORE, SagaChange, SagaStore } from '../persistence/saga-store.port';

/**
 * Every committed transition on the database, for the dashboard's live views. All event
 * streams share one subscription to the store, which listens on the store's one LISTEN
 * connection (the engine's own, for the ends of sagas): a hundred open pages cost no more
 * connections than one, and none at all when no page is open.
 */
@Injectable()
export class DashboardChangeFeed {
  readonly changes: Observable<SagaChange>;

  constructor(@Inject(SAGA_STORE) store: SagaStore) {
    this.changes = new Observable<SagaChange>((subscriber) => {
      let closed = false;
      let watch: { close(): Promise<void> } | undefined;
      store
        .watchChanges((change) => subscriber.next(change))
        .then(
          (opened) => {
            if (closed) void opened.close();
            else watch = opened;
          },
          (error: unknown) => subscriber.error(error),
        );
      return () => {
        closed = true;
        void watch?.close();
      };
    }).pipe(share());
  }
}
