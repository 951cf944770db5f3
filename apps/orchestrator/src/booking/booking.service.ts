import { createHash, randomUUID } from 'node:crypto';
import { BadRequestException, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  IdempotencyConflictError,
  SagaEngine,
  SagaInstance,
  stepFaultsLabels,
} from '@app/saga-core';
import { faultInjectionEnabled } from '@app/platform';
import { AuditView, BookingView, toAuditView, toBookingView } from './booking.view';
import { isBookingId } from './booking-id';
import { BookingMode } from './booking-mode';
import { CreateBookingDto } from './create-booking.dto';
import { ListBookingsQuery } from './list-bookings.query';
import {
  TRIP_BOOKING_CHOREOGRAPHY,
  TRIP_BOOKING_SAGA,
  TRIP_PARTICIPANTS,
  TripBooking,
  TripParticipant,
  TripParts,
} from '@app/trip-api';

@Injectable()
export class BookingService {
  private readonly faultsEnabled: boolean;

  constructor(
    private readonly engine: SagaEngine,
    config: ConfigService,
  ) {
    this.faultsEnabled = faultInjectionEnabled(config);
  }

  /** Starts a booking; the same idempotency key with the same body returns the first one. */
  async create(request: CreateBookingDto, idempotencyKey?: string): Promise<BookingView> {
    const mode = request.mode ?? BookingMode.ORCHESTRATED;
    if (!this.faultsEnabled && Object.values(request.faults ?? {}).some((f) => f !== undefined)) {
      throw new BadRequestException([
        'faults: fault injection is disabled (NODE_ENV=production); set FAULTS_ENABLED=true to allow it',
      ]);
    }
    const bookingId = randomUUID();
    const trip: TripBooking = {
      bookingId,
      customerId: request.customerId,
      ...tripPartsOf(request),
    };
    const faults = { ...request.faults };
    try {
      const saga =
        mode === BookingMode.ORCHESTRATED ? TRIP_BOOKING_SAGA : TRIP_BOOKING_CHOREOGRAPHY;
      const { instance } = await this.engine.startSaga(saga, trip, {
        sagaId: bookingId,
        startKey: idempotencyKey,
        startFingerprint: idempotencyKey
          ? fingerprint({ ...trip, bookingId: undefined, faults, mode })
          : undefined,
        // The faults go with every message of the booking as a header, not in its payloads.
        labels: { mode, ...stepFaultsLabels(faults) },
      });
      return toBookingView(instance);
    } catch (error) {
      if (error instanceof IdempotencyConflictError) {
        throw new UnprocessableEntityException(
          'this Idempotency-Key was already used with a different request body',
        );
      }
      throw error;
    }
  }

  /** The booking; with `waitSeconds`, as soon as it has ended or when the wait runs out. */
  async find(bookingId: string, waitSeconds = 0): Promise<BookingView | null> {
    if (!isBookingId(bookingId)) return null;
    const saga =
      waitSeconds > 0
        ? await this.engine.waitUntilEnded(bookingId, waitSeconds * 1000)
        : await this.engine.find(bookingId);
    return saga && toBookingView(saga);
  }

  async list(query: ListBookingsQuery): Promise<BookingView[]> {
    const sagas = await this.engine.list({
      status: query.status,
      labels: query.mode ? { mode: query.mode } : undefined,
      limit: query.limit ?? 50,
    });
    return sagas.map(toBookingView);
  }

  async audit(bookingId: string): Promise<AuditView[] | null> {
    const saga = await this.findSaga(bookingId);
    if (!saga) return null;
    return (await this.engine.auditLog(bookingId)).map(toAuditView);
  }

  private findSaga(bookingId: string): Promise<SagaInstance | null> {
    return isBookingId(bookingId) ? this.engine.find(bookingId) : Promise.resolve(null);
  }
}

/**
 * Each participant's part of the request, as plain objects: the DTO lets through only the
 * fields each part declares, and a part an optional step was not asked for stays absent.
 */
function tripPartsOf(request: TripParts): TripParts {
  const parts: Partial<Record<TripParticipant, object>> = request;
  return Object.fromEntries(
    TRIP_PARTICIPANTS.flatMap((name) => {
      const part = parts[name];
      return part === undefined ? [] : [[name, { ...part }]];
    }),
  ) as unknown as TripParts;
}

/** A stable hash of a request: keys sorted, so field order does not matter. */
function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
