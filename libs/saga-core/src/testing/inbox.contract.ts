import { randomUUID } from 'node:crypto';
import { Inbox } from '../participant/inbox.port';
import { contractMessage } from './contract-fixtures';

/** An inbox under test, with the count of its outbox's unsent rows to see what committed. */
export interface InboxUnderTest {
  inbox: Inbox;
  pendingOutbox(): Promise<number>;
  dispose?(): Promise<void>;
}

/**
 * What every `Inbox` adapter must do: a message is claimed once per consumer, also when
 * transactions race for it; the claim and the outbox rows of a transaction commit together or
 * not at all; a claim refused leaves the outbox alone; a join of a parallel group's reports
 * completes once, on its last member's report, and forgets a report rolled back.
 */
export function inboxContract(name: string, setup: () => Promise<InboxUnderTest>): void {
  describe(`${name} keeps the Inbox contract`, () => {
    let subject: InboxUnderTest;
    const inbox = () => subject.inbox;

    beforeAll(async () => {
      subject = await setup();
    });
    afterAll(() => subject?.dispose?.());

    it('claims a message once per consumer', async () => {
      const id = randomUUID();
      const claim = (consumer: string) => inbox().transaction(consumer, (tx) => tx.claim(id));

      expect(await claim('contract')).toBe(true);
      expect(await claim('contract')).toBe(false);
      expect(await claim('another')).toBe(true);
    });

    it('lets one of ten transactions that race claim a message', async () => {
      const id = randomUUID();
      const claims = await Promise.all(
        Array.from({ length: 10 }, () => inbox().transaction('contract', (tx) => tx.claim(id))),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
    });

    it('writes the outbox rows with the claim, and none for a message claimed already', async () => {
      const id = randomUUID();
      const before = await subject.pendingOutbox();
      const messages = [contractMessage(), contractMessage()];
      const send = () => inbox().transaction('contract', (tx) => tx.claimAndEnqueue(id, messages));

      const first = await send();
      expect(first?.map((r) => r.message.messageId)).toEqual(messages.map((m) => m.messageId));
      expect(await send()).toBeNull();
      expect(await subject.pendingOutbox()).toBe(before + 2);
    });

    it('commits with the claim as the last statement, and rolls a copy back whole', async () => {
      const id = randomUUID();
      const before = await subject.pendingOutbox();
      const send = (first: number) =>
        inbox().transaction('contract', async (tx) => {
          // Work written before the last statement: kept only if the claim takes.
          await tx.enqueue(Array.from({ length: first }, () => contractMessage()));
          return tx.claimAndEnqueue(id, [contractMessage()], true);
        });

      expect(await send(1)).toHaveLength(1);
      expect(await subject.pendingOutbox()).toBe(before + 2);
      expect(await send(2)).toBeNull();
      expect(await subject.pendingOutbox()).toBe(before + 2);
    });

    it('lets one of ten transactions that race with the commit in the claim win', async () => {
      const id = randomUUID();
      const before = await subject.pendingOutbox();
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, () =>
          inbox().transaction('contract', (tx) =>
            tx.claimAndEnqueue(id, [contractMessage()], true),
          ),
        ),
      );
      expect(outcomes.filter((outcome) => outcome !== null)).toHaveLength(1);
      expect(await subject.pendingOutbox()).toBe(before + 1);
    });

    it('claims several messages with their outbox rows in one go, or none if one was claimed', async () => {
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      const before = await subject.pendingOutbox();
      const claims = [
        { messageId: a, messages: [contractMessage()] },
        { messageId: b, messages: [] },
        { messageId: c, messages: [contractMessage(), contractMessage()] },
      ];
      const claimed = await inbox().transaction('contract', (tx) => tx.claimAllAndEnqueue(claims));
      expect(claimed).toEqual({
        enqueued: claims.map((claim) =>
          claim.messages.map((message) => ({ id: expect.any(String), message })),
        ),
      });
      expect(await subject.pendingOutbox()).toBe(before + 3);

      const fresh = randomUUID();
      const again = [
        { messageId: fresh, messages: [contractMessage()] },
        { messageId: fresh, messages: [contractMessage()] },
        { messageId: b, messages: [contractMessage()] },
      ];
      const refused = inbox().transaction('contract', async (tx) => {
        const outcome = await tx.claimAllAndEnqueue(again);
        throw new Error(JSON.stringify(outcome));
      });
      // The second copy of a message is the one handled already, as b is.
      await expect(refused).rejects.toThrow(JSON.stringify({ handledAlready: 1 }));
      expect(await subject.pendingOutbox()).toBe(before + 3);
      expect(await inbox().transaction('contract', (tx) => tx.claim(again[0].messageId))).toBe(
        true,
      );
    });

    it('keeps neither the claim nor the outbox rows of a transaction that throws', async () => {
      const id = randomUUID();
      const before = await subject.pendingOutbox();
      const failing = inbox().transaction('contract', async (tx) => {
        await tx.claim(id);
        await tx.enqueue([contractMessage()]);
        throw new Error('rolled back');
      });
      await expect(failing).rejects.toThrow('rolled back');

      expect(await subject.pendingOutbox()).toBe(before);
      expect(await inbox().transaction('contract', (tx) => tx.claim(id))).toBe(true);
    });

    describe('the joins of parallel groups', () => {
      const members = ['a', 'b', 'c'];
      const report = (sagaId: string, member: string, data: unknown = { member }) =>
        inbox().transaction('contract', (tx) =>
          tx.join({ sagaId, step: 'd', reaction: 'work', member, members, data }),
        );

      it('completes a join once each member has reported, with each one’s data', async () => {
        const saga = randomUUID();
        expect(await report(saga, 'c')).toBeNull();
        expect(await report(saga, 'a')).toBeNull();
        expect(await report(saga, 'b')).toEqual({
          a: { member: 'a' },
          b: { member: 'b' },
          c: { member: 'c' },
        });
      });

      it('counts a member once, and nothing once the join completed', async () => {
        const saga = randomUUID();
        await report(saga, 'a');
        expect(await report(saga, 'a', { again: true })).toBeNull();
        await report(saga, 'b');
        expect(await report(saga, 'c')).toMatchObject({ a: { member: 'a' } });
        expect(await report(saga, 'c')).toBeNull();
      });

      it('lets exactly one of the reports that race complete the join', async () => {
        const saga = randomUUID();
        const outcomes = await Promise.all(members.map((m) => report(saga, m)));
        expect(outcomes.filter((o) => o !== null)).toHaveLength(1);
      });

      it('forgets the report of a transaction that throws', async () => {
        const saga = randomUUID();
        await report(saga, 'a');
        await report(saga, 'b');
        const failing = inbox().transaction('contract', async (tx) => {
          await tx.join({
            sagaId: saga,
            step: 'd',
            reaction: 'work',
            member: 'c',
            members,
            data: 1,
          });
          throw new Error('rolled back');
        });
        await expect(failing).rejects.toThrow('rolled back');
        expect(await report(saga, 'c')).not.toBeNull();
      });
    });

    it('claims before handling only a delivery that is likely a redelivery', () => {
      const delivery = { messageId: 'm', type: 't', body: {}, headers: {} };
      expect(
        inbox().claimsBeforeHandling({ ...delivery, deliveryCount: 1, redelivered: false }),
      ).toBe(false);
      expect(
        inbox().claimsBeforeHandling({ ...delivery, deliveryCount: 2, redelivered: true }),
      ).toBe(true);
    });
  });
}
