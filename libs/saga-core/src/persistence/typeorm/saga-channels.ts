/** The PostgreSQL channel on which a transaction that ends a saga notifies, on commit. */
export const SAGA_ENDED_CHANNEL = 'saga_ended';

/**
 * The channel of every transition, announced after its commit: lines of `<saga id> <status>`,
 * many transitions to a notification (see `SagaChangeAnnouncer`).
 */
export const SAGA_CHANGED_CHANNEL = 'saga_changed';
