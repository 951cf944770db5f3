import { ModeUnavailableError } from './mode-unavailable.error';
import { BookingMode } from './booking-mode';
import { BookingRequest } from './booking-request';

/** What the comparison reads of `GET /bookings/:id`. */
export interface BookingSnapshot {
  bookingId: string;
  status: string;
  createdAt: string | null;
  updatedAt: string | null;
  /** The names of the steps it shows (an optional step it did not ask for is not one). */
  steps: string[];
}

/** One line of `GET /bookings/:id/audit`. */
export interface AuditLine {
  at: string;
  type: string;
  step: string | null;
  detail: Record<string, unknown>;
}

/** The orchestrator's booking API, over plain HTTP: the comparison runs against running apps. */
export class BookingClient {
  /** Cleared once the orchestrator refuses `?wait=`; plain polling works everywhere. */
  private waitSupported = true;

  constructor(
    private readonly baseUrl: string,
    private readonly requestTimeoutMs = 30_000,
  ) {}

  /** Starts a booking and returns its id; a 501 means the mode is not served. */
  async create(
    mode: BookingMode,
    request: BookingRequest,
    idempotencyKey: string,
  ): Promise<string> {
    const response = await this.fetch('/bookings', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify({ mode, ...request }),
    });
    const body = await readJson(response);
    if (response.status === 501) throw new ModeUnavailableError(mode, describe(response, body));
    if (response.status !== 202) throw new Error(`POST /bookings: ${describe(response, body)}`);
    return text(record(body).bookingId, 'bookingId');
  }

  /**
   * The booking, or null while the orchestrator does not know it. `waitSeconds` asks the
   * orchestrator to answer as soon as the booking ends; one that ignores it answers at once.
   */
  async get(bookingId: string, waitSeconds = 0): Promise<BookingSnapshot | null> {
    const path = `/bookings/${encodeURIComponent(bookingId)}`;
    const useWait = waitSeconds > 0 && this.waitSupported;
    let response = await this.fetch(useWait ? `${path}?wait=${waitSeconds}` : path);
    if (useWait && response.status === 400) {
      this.waitSupported = false;
      await response.body?.cancel();
      response = await this.fetch(path);
    }
    const body = await readJson(response);
    if (response.status === 404) return null;
    if (response.status !== 200) throw new Error(`GET ${path}: ${describe(response, body)}`);
    const view = record(body);
    return {
      bookingId: text(view.bookingId, 'bookingId'),
      status: text(view.status, 'status'),
      createdAt: typeof view.createdAt === 'string' ? view.createdAt : null,
      updatedAt: typeof view.updatedAt === 'string' ? view.updatedAt : null,
      steps: Array.isArray(view.steps) ? view.steps.map((s) => text(record(s).name, 'name')) : [],
    };
  }

  async audit(bookingId: string): Promise<AuditLine[]> {
    const path = `/bookings/${encodeURIComponent(bookingId)}/audit`;
    const response = await this.fetch(path);
    const body = await readJson(response);
    if (response.status !== 200) throw new Error(`GET ${path}: ${describe(response, body)}`);
    if (!Array.isArray(body)) throw new Error(`GET ${path}: not a list`);
    return body.map((line: unknown) => {
      const l = record(line);
      return {
        at: text(l.at, 'at'),
        type: text(l.type, 'type'),
        step: typeof l.step === 'string' ? l.step : null,
        detail: record(l.detail ?? {}),
      };
    });
  }

  private fetch(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, {
      ...init,
      signal: AbortSignal.timeout(this.requestTimeoutMs),
    });
  }
}

async function readJson(response: Response): Promise<unknown> {
  const raw = await response.text();
  try {
    return raw === '' ? null : (JSON.parse(raw) as unknown);
  } catch {
    return raw;
  }
}

function describe(response: Response, body: unknown): string {
  const message = body && typeof body === 'object' && 'message' in body ? body.message : body;
  return `${response.status} ${JSON.stringify(message)}`;
}

function record(value: unknown): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`expected a JSON object, got ${JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new Error(`expected a string ${field}`);
  return value;
}
