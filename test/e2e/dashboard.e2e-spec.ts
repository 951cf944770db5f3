import { TRIP_BOOKING_SAGA_VERSION } from '@app/trip-api';
import { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { queueDepth } from '../support/rabbitmq-vhost';
import { PARTICIPANTS, TripSystem } from '../support/trip-system';
import { waitFor } from '../support/wait-for';

const ALICE_KEY = 'alice-operator-key-for-the-dashboard';
/** Long enough that a silent step waits for the operator, not for its timeout. */
const LONG_STEP_TIMEOUT_MS = '30000';
const trip = (faults: Record<string, string> = {}) => ({
  customerId: 'cust-4',
  flight: { flightId: 'FL-100', seats: 1 },
  hotel: { hotelId: 'HT-200', nights: 1, rooms: 1 },
  faults,
});

/** The four apps in-process and the dashboard in a real browser, driven as an operator would. */
describe('the dashboard, in a browser', () => {
  let system: TripSystem;
  let browser: Browser;
  let page: Page;
  let dashboard: string;

  beforeAll(async () => {
    [system, browser] = await Promise.all([
      TripSystem.start({ apps: [...PARTICIPANTS] }),
      launchChromium(),
    ]);
    await startOrchestrator(LONG_STEP_TIMEOUT_MS);
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => {
      throw error;
    });
  });

  afterEach(async () => {
    await page?.close();
    for (const name of PARTICIPANTS) {
      await system.http(name).delete('/faults').expect(200);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  /** (Re)starts the orchestrator, told where the participants listen, and listens it. */
  async function startOrchestrator(stepTimeoutMs: string): Promise<void> {
    await system.stopApp('orchestrator');
    await system.startApp('orchestrator', {
      STEP_TIMEOUT_MS: stepTimeoutMs,
      OPERATOR_API_KEYS: `alice:${ALICE_KEY}`,
      FLIGHT_URL: await system.listen('flight'),
      HOTEL_URL: await system.listen('hotel'),
      PAYMENT_URL: await system.listen('payment'),
    });
    dashboard = `${await system.listen('orchestrator')}/dashboard/`;
  }

  async function open(hash: string): Promise<void> {
    await page.goto(`${dashboard}#${hash}`);
    // Whatever the test does next happens on this one document.
    await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
    await page.locator('#live.on').waitFor();
  }

  /** True while the page shown by `open` was never loaded again. */
  function notReloaded(): Promise<boolean | undefined> {
    return page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded);
  }

  async function useKey(key: string): Promise<void> {
    await page.fill('#api-key', key);
    await page.click('#key-form button');
    await page.locator('#who', { hasText: 'operator alice' }).waitFor();
  }

  it('finds a refused payment by its id under CANCELLED, and shows its undo in order', async () => {
    const other = await system.book(trip());
    const bookingId = await system.book(trip({ payment: 'fail' }));
    await system.settled(other);
    expect((await system.settled(bookingId)).status).toBe('CANCELLED');

    await open('/runs');
    await page.click('#counts [data-status="CANCELLED"]');
    await page.waitForURL(/status=CANCELLED/);
    await page.fill('#filters [name="id"]', bookingId);
    await page.click('#filters button[type="submit"]');
    const rows = page.locator('#runs tbody tr');
    await page.locator(`#runs tr[data-id="${bookingId}"]`).waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-status')).toBe('CANCELLED');

    await rows.first().locator('a').click();
    await page.locator('#run-header[data-status="CANCELLED"]').waitFor();
    expect(await page.textContent('#run-failure')).toMatch(/^payment: /);
    expect(await page.textContent('#run-definition')).toBe(
      `trip-booking@${TRIP_BOOKING_SAGA_VERSION}`,
    );
    // The timeline: both reservations undone, the hotel's before the flight's.
    const undo = await page.$$eval('#timeline rect.compensation', (bars) =>
      bars.map((b) => ({
        step: b.getAttribute('data-step'),
        start: Number(b.getAttribute('data-start-ms')),
        outcome: b.getAttribute('data-outcome'),
      })),
    );
    const sorted = [...undo].sort((a, b) => a.start - b.start);
    expect(sorted.map((b) => [b.step, b.outcome])).toEqual([
      ['hotel', 'compensated'],
      ['flight', 'compensated'],
    ]);
    // The audit log as the API has it, in order.
    const shown = await page.$$eval('#audit tbody tr', (lines) =>
      lines.map((l) => `${l.getAttribute('data-type')} ${l.getAttribute('data-step')}`),
    );
    const audit = await system.audit(bookingId);
    expect(shown).toEqual(audit.map((a) => `${a.type} ${a.step ?? ''}`));
    expect(shown.indexOf('STEP_COMPENSATED hotel')).toBeLessThan(
      shown.indexOf('STEP_COMPENSATED flight'),
    );
    expect(await page.locator('#sequence svg line').count()).toBeGreaterThan(10);
    expect(await notReloaded()).toBe(true);
  });

  it('cancels a PENDING booking with the operator key, audited with who and why; disabled without it', async () => {
    const bookingId = await system.book(trip({ hotel: 'timeout' }));
    await open(`/runs/${bookingId}`);
    await page.locator('#run-header[data-status="PENDING"]').waitFor();
    expect(await page.isDisabled('#cancel-button')).toBe(true);
    expect(await page.textContent('#cancel-why')).toBe('enter an operator key to act');

    await useKey(ALICE_KEY);
    await page.locator('#cancel-button:not([disabled])').click();
    await page.fill('form.reason [name="reason"]', 'the customer called');
    await page.click('form.reason button');
    await page.locator('#run-header[data-status="CANCELLED"]').waitFor();

    expect(await system.audit(bookingId)).toContainEqual(
      expect.objectContaining({
        type: 'OPERATOR_CANCELLED',
        detail: { operator: 'alice', reason: 'the customer called' },
      }),
    );
    await page.locator('#audit tr[data-type="OPERATOR_CANCELLED"]').waitFor();
    expect(await page.isDisabled('#cancel-button')).toBe(true);
    expect(await page.textContent('#cancel-why')).toBe('the saga has ended: CANCELLED');
  });

  it('lists a COMPENSATION_FAILED booking under needs attention, and finishes it by Retry once its fault is cleared', async () => {
    await system
      .http('flight')
      .post('/faults')
      .send({ match: 'flight.cancel', action: 'fail' })
      .expect(201);
    const bookingId = await system.book(trip({ hotel: 'fail' }));
    expect((await system.settled(bookingId)).status).toBe('COMPENSATION_FAILED');

    await open('/attention');
    await page
      .locator(`#runs tr[data-id="${bookingId}"][data-status="COMPENSATION_FAILED"] a`)
      .click();
    await useKey(ALICE_KEY);
    await page.locator('#run-header[data-status="COMPENSATION_FAILED"]').waitFor();

    await system.http('flight').delete('/faults').expect(200);
    await page.locator('#retry-button:not([disabled])').click();
    await page.fill('form.reason [name="reason"]', 'flight service fixed');
    await page.click('form.reason button');
    await page.locator('#run-header[data-status="CANCELLED"]').waitFor();
    expect(await system.participantState('flight', bookingId)).toMatchObject({
      status: 'CANCELLED',
    });
    expect(await system.audit(bookingId)).toContainEqual(
      expect.objectContaining({
        type: 'OPERATOR_RETRIED_COMPENSATION',
        detail: { operator: 'alice', reason: 'flight service fixed' },
      }),
    );
  });

  it('moves a dead letter back to its queue from the System page, and the booking goes on', async () => {
    // Every delivery of the hotel's command throws: past the delivery limit it is dead-lettered.
    await system
      .http('hotel')
      .post('/faults')
      .send({ match: 'hotel.reserve', action: 'throw' })
      .expect(201);
    const bookingId = await system.book(trip());
    const dead = 'hotel.commands.dead-letter';
    await waitFor(
      async () => ((await queueDepth(system.vhost.vhost, dead)).total === 1 ? true : undefined),
      { what: 'the hotel command dead-lettered' },
    );
    await system.http('hotel').delete('/faults').expect(200);

    await open('/system');
    await useKey(ALICE_KEY);
    const row = page.locator('#dead-letters tr[data-queue="hotel.commands"]');
    await page.locator('#dead-letters tr[data-queue="hotel.commands"][data-depth="1"]').waitFor();
    expect(await row.textContent()).toContain('hotel.reserve');
    await row.locator('button.move').click();
    await row.locator('form.reason [name="reason"]').fill('hotel database fixed');
    await row.locator('form.reason button').click();
    await page.locator('#dead-letters tr[data-queue="hotel.commands"][data-depth="0"]').waitFor();

    expect((await system.settled(bookingId)).status).toBe('CONFIRMED');
    expect(await system.audit(bookingId)).toContainEqual(
      expect.objectContaining({
        type: 'DEAD_LETTER_MOVED',
        detail: expect.objectContaining({
          operator: 'alice',
          reason: 'hotel database fixed',
          queue: 'hotel.commands',
          messageType: 'hotel.reserve',
        }),
      }),
    );
  });

  it('turns a timed-out booking from PENDING to CANCELLED without a reload', async () => {
    await startOrchestrator('3000');
    await open('/runs');
    const bookingId = await system.book(trip({ hotel: 'timeout' }));
    await page.locator(`#runs tr[data-id="${bookingId}"][data-status="PENDING"]`).waitFor();
    await page.locator(`#runs tr[data-id="${bookingId}"][data-status="CANCELLED"]`).waitFor();
    expect(await notReloaded()).toBe(true);
  });
});
