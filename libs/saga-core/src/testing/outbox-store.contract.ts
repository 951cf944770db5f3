import {
  OutboxRecord,
  OutboxRetryPolicy,
  OutboxStore,
  PublishOutcome,
} from '../messaging/outbox-store.port';
import { OutgoingMessage } from '../transport/message-envelope';
import { contractMessage } from './contract-fixtures';

/** An outbox under test, how rows get into it (as a committed transaction writes them), and its release. */
export interface OutboxUnderTest {
  outbox: OutboxStore;
  write(messages: readonly OutgoingMessage[]): Promise<OutboxRecord[]>;
  dispose?(): Promise<void>;
}

/** Failing rows wait a minute, far longer than any test: they are out of the way. */
const RETRY_LATER: OutboxRetryPolicy = {
  maxAttempts: 10,
  retryDelayMs: 60_000,
  maxRetryDelayMs: 600_000,
};
/** One failure parks the row. */
const PARK_AT_ONCE: OutboxRetryPolicy = { maxAttempts: 1, retryDelayMs: 0, maxRetryDelayMs: 0 };

/**
 * What every `OutboxStore` adapter must do: rows a relay pass claims are offered to no other
 * pass, confirmed rows are sent, failed ones wait for their next try and are parked when their
 * tries are spent, young rows are left alone when asked. The tests only look at their own rows
 * (by message id), so the outbox may hold others.
 */
export function outboxStoreContract(name: string, setup: () => Promise<OutboxUnderTest>): void {
  describe(`${name} keeps the OutboxStore contract`, () => {
    let subject: OutboxUnderTest;
    const outbox = () => subject.outbox;

    beforeAll(async () => {
      subject = await setup();
    });
    afterAll(() => subject?.dispose?.());

    const written = async (n: number) => {
      const messages = Array.from({ length: n }, () => contractMessage());
      await subject.write(messages);
      return new Set(messages.map((m) => m.messageId));
    };
    /** Publishes every row it is handed that is one of `mine`, confirming or failing them. */
    const publisher = (mine: Set<string>, fail = false) => {
      const seen: OutboxRecord[] = [];
      const publish = async (records: OutboxRecord[]): Promise<PublishOutcome> => {
        const ours = records.filter((r) => mine.has(r.message.messageId));
        seen.push(...ours);
        if (!fail) return { confirmed: records, failed: [] };
        return { confirmed: [], failed: ours.map((r) => ({ id: r.id, error: 'refused' })) };
      };
      return { seen, publish };
    };
    const pass = (publish: (r: OutboxRecord[]) => Promise<PublishOutcome>, minAgeMs = 0) =>
      outbox().relayBatch(1_000, publish, minAgeMs, RETRY_LATER);

    it('hands committed rows to a pass, and offers no confirmed row again', async () => {
      const mine = await written(3);
      const first = publisher(mine);
      await pass(first.publish);
      const second = publisher(mine);
      await pass(second.publish);

      expect(new Set(first.seen.map((r) => r.message.messageId))).toEqual(mine);
      expect(second.seen).toEqual([]);
    });

    it('offers each row to one of two passes that race', async () => {
      const mine = await written(6);
      let release = (): void => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      const a = publisher(mine);
      const b = publisher(mine);
      // Pass A holds its claim while pass B runs: B must skip what A holds.
      const passA = pass(async (records) => {
        await held;
        return a.publish(records);
      });
      await pass(b.publish);
      release();
      await passA;

      const ids = [...a.seen, ...b.seen].map((r) => r.message.messageId);
      expect(ids).toHaveLength(6);
      expect(new Set(ids)).toEqual(mine);
    });

    it('leaves rows younger than the minimum age to the process that wrote them', async () => {
      const mine = await written(2);
      const young = publisher(mine);
      await pass(young.publish, 60_000);
      expect(young.seen).toEqual([]);
      const any = publisher(mine);
      await pass(any.publish, 0);
      expect(any.seen).toHaveLength(2);
    });

    it('does not offer rows marked sent', async () => {
      const mine = await written(2);
      const records = await subject.write([contractMessage()]);
      await outbox().markSent(records.map((r) => r.id));
      const all = new Set([...mine, records[0].message.messageId]);
      const after = publisher(all);
      await pass(after.publish);
      expect(after.seen.map((r) => r.message.messageId).sort()).toEqual([...mine].sort());
    });

    it('keeps a failed row for its next try, and does not offer it before', async () => {
      const mine = await written(1);
      const failing = publisher(mine, true);
      const result = await pass(failing.publish);
      expect(result.failed).toBeGreaterThanOrEqual(1);
      const again = publisher(mine);
      await pass(again.publish);
      expect(again.seen).toEqual([]);
    });

    it('parks a row whose tries are spent, and offers it again once released', async () => {
      const mine = await written(1);
      const failing = publisher(mine, true);
      await outbox().relayBatch(1_000, failing.publish, 0, PARK_AT_ONCE);
      const [row] = failing.seen;

      const parked = (await outbox().parkedRows(1_000)).filter((p) => mine.has(p.messageId));
      expect(parked).toEqual([
        expect.objectContaining({ id: row.id, attempts: 1, lastError: 'refused' }),
      ]);
      expect(await outbox().parkedCount()).toBeGreaterThanOrEqual(1);
      const meanwhile = publisher(mine);
      await pass(meanwhile.publish);
      expect(meanwhile.seen).toEqual([]);

      expect(await outbox().releaseParked([row.id])).toBe(1);
      const released = publisher(mine);
      await pass(released.publish);
      expect(released.seen.map((r) => r.id)).toEqual([row.id]);
    });
  });
}
