import {
  CarReserved,
  ChargePayment,
  FlightReserved,
  HotelReserved,
  PaymentCharged,
  ReserveCar,
  ReserveFlight,
  ReserveHotel,
  TripErrorCode,
  TripRefusedError,
} from '@app/trip-api';

/**
 * The trip's participants as plain domain services with their state in memory: stock
 * and balances that change, refusals when they run out. Each check comes before any write, so
 * a refusal leaves nothing to roll back (there is no database transaction to do it). Every
 * operation is idempotent per booking, and an undo of something that never happened is
 * accepted: a redelivered command or event changes nothing.
 */

/** What the participants did, in order, across all of them: to assert the order of the undo. */
export type TripJournal = string[];

interface Held {
  item: string;
  units: number;
  price: number;
  cancelled: boolean;
}

/** Seats per flight, rooms per hotel or cars per class, with their unit price. */
type Left = Map<string, { units: number; price: number }>;

const UNKNOWN = {
  flight: TripErrorCode.UNKNOWN_FLIGHT,
  hotel: TripErrorCode.UNKNOWN_HOTEL,
  car: TripErrorCode.UNKNOWN_CAR_CLASS,
} as const;

class Stock {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly what: 'flight' | 'hotel' | 'car',
    private readonly left: Left,
    private readonly journal: TripJournal,
  ) {}

  /** Units left of an item. */
  available(item: string): number {
    return this.left.get(item)?.units ?? 0;
  }

  take(bookingId: string, item: string, units: number, priceOf: (unit: number) => number) {
    const already = this.held.get(bookingId);
    if (already) return already;
    const stock = this.left.get(item);
    const unknown = UNKNOWN[this.what];
    if (!stock) throw new TripRefusedError(unknown, `No ${this.what} ${item}`);
    if (stock.units < units) {
      throw new TripRefusedError(TripErrorCode.SOLD_OUT, `${this.what} ${item} is sold out`);
    }
    stock.units -= units;
    const held: Held = { item, units, price: priceOf(stock.price), cancelled: false };
    this.held.set(bookingId, held);
    this.journal.push(`${this.what}:reserved`);
    return held;
  }

  release(bookingId: string): void {
    const held = this.held.get(bookingId);
    if (!held || held.cancelled) return;
    held.cancelled = true;
    const stock = this.left.get(held.item);
    if (stock) stock.units += held.units;
    this.journal.push(`${this.what}:cancelled`);
  }
}

export class InMemoryFlights {
  private readonly stock: Stock;

  constructor(seats: Record<string, { seats: number; price: number }>, journal: TripJournal) {
    const left: Left = new Map();
    for (const [id, s] of Object.entries(seats)) left.set(id, { units: s.seats, price: s.price });
    this.stock = new Stock('flight', left, journal);
  }

  seatsLeft(flightId: string): number {
    return this.stock.available(flightId);
  }

  async reserve(request: ReserveFlight): Promise<FlightReserved> {
    const { flightId, seats } = request;
    const held = this.stock.take(request.bookingId, flightId, seats, (price) => price * seats);
    return { flightId, seats, price: held.price };
  }

  async cancel(bookingId: string): Promise<void> {
    this.stock.release(bookingId);
  }
}

export class InMemoryHotels {
  private readonly stock: Stock;

  constructor(rooms: Record<string, { rooms: number; perNight: number }>, journal: TripJournal) {
    const left: Left = new Map();
    for (const [id, r] of Object.entries(rooms))
      left.set(id, { units: r.rooms, price: r.perNight });
    this.stock = new Stock('hotel', left, journal);
  }

  roomsLeft(hotelId: string): number {
    return this.stock.available(hotelId);
  }

  async reserve(request: ReserveHotel): Promise<HotelReserved> {
    const { hotelId, nights, rooms } = request;
    const priceOf = (perNight: number) => perNight * nights * rooms;
    const held = this.stock.take(request.bookingId, hotelId, rooms, priceOf);
    return { hotelId, nights, rooms, price: held.price };
  }

  async cancel(bookingId: string): Promise<void> {
    this.stock.release(bookingId);
  }
}

export class InMemoryCars {
  private readonly stock: Stock;

  constructor(cars: Record<string, { cars: number; perDay: number }>, journal: TripJournal) {
    const left: Left = new Map();
    for (const [id, c] of Object.entries(cars)) left.set(id, { units: c.cars, price: c.perDay });
    this.stock = new Stock('car', left, journal);
  }

  carsLeft(carClass: string): number {
    return this.stock.available(carClass);
  }

  /** One car of the class, priced every day at its daily price. */
  async reserve(request: ReserveCar): Promise<CarReserved> {
    const { carClass, days } = request;
    const held = this.stock.take(request.bookingId, carClass, 1, (perDay) => perDay * days);
    return { carClass, days, price: held.price };
  }

  async cancel(bookingId: string): Promise<void> {
    this.stock.release(bookingId);
  }
}

export class InMemoryPayments {
  private readonly balances: Map<string, number>;
  private readonly charges = new Map<
    string,
    { customerId: string; amount: number; refunded: boolean }
  >();

  constructor(
    balances: Record<string, number>,
    private readonly journal: TripJournal,
  ) {
    this.balances = new Map(Object.entries(balances));
  }

  balanceOf(customerId: string): number {
    return this.balances.get(customerId) ?? 0;
  }

  async charge(request: ChargePayment): Promise<PaymentCharged> {
    const { bookingId, customerId, amount } = request;
    const already = this.charges.get(bookingId);
    if (already) return { customerId, amount: already.amount };
    const balance = this.balances.get(customerId);
    if (balance === undefined) {
      throw new TripRefusedError(TripErrorCode.UNKNOWN_CUSTOMER, `No account ${customerId}`);
    }
    if (balance < amount) {
      throw new TripRefusedError(TripErrorCode.INSUFFICIENT_FUNDS, `Insufficient funds`);
    }
    this.balances.set(customerId, balance - amount);
    this.charges.set(bookingId, { customerId, amount, refunded: false });
    this.journal.push('payment:charged');
    return { customerId, amount };
  }

  async refund(bookingId: string): Promise<void> {
    const charge = this.charges.get(bookingId);
    if (!charge || charge.refunded) return;
    charge.refunded = true;
    this.balances.set(charge.customerId, this.balanceOf(charge.customerId) + charge.amount);
    this.journal.push('payment:refunded');
  }
}
