import { DefinitionError } from '../errors/definition.error';

/** What runs a statement in the step's transaction (`StepContext.manager` is one). */
export interface SqlRunner {
  query<T = unknown>(sql: string, parameters?: unknown[]): Promise<T>;
}

/**
 * A participant's holdings as `UndoMarker` reads them: one row per saga in `table`, keyed by
 * `key`, with a `status` that is `held` while the work holds stock and `undone` once it is
 * given back. A tombstone is an `undone` row written by an undo that came before the work:
 * `tombstone` holds its other columns (the stock it names is null, its quantities 0).
 */
export interface HoldingsTable {
  table: string;
  key: string;
  /** The status column. Default: `status`. */
  status?: string;
  held: string;
  undone: string;
  tombstone: Readonly<Record<string, string | number | null>>;
  /** A column stamped with `now()` when the holding is given back, if any. */
  touched?: string;
  /**
   * Where a released holding goes back to: `stock.column += amount`, on the row of
   * `stock.table` whose `stock.key` is the holding's `owner`; `amount` is a column of the
   * holding, or a whole number when every holding takes the same (one car a rental).
   */
  stock: { table: string; key: string; column: string; owner: string; amount: string | number };
}

/** What an undo did: marked a saga whose work never came, gave the work back, or nothing. */
export type UndoOutcome = 'marked' | 'released' | 'already-undone';

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const LITERAL = /^[A-Za-z0-9_-]+$/;

function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new DefinitionError(`"${name}" is not a plain SQL identifier`);
  return name;
}

function wholeNumber(value: number): string {
  if (!Number.isSafeInteger(value)) throw new DefinitionError(`${value} is not a whole number`);
  return String(value);
}

function literal(value: string): string {
  if (!LITERAL.test(value)) throw new DefinitionError(`"${value}" is not a plain status value`);
  return `'${value}'`;
}

/**
 * The undo of a step that must accept an undo arriving before the work (or without it), for
 * participants whose work is a row of holdings per saga: the undo inserts an `undone`
 * tombstone if no row is there, so the late work finds it and is refused (`isUndone`), and
 * otherwise gives the held work back once, in one statement.
 *
 * Race safety comes from the holdings' primary key: the tombstone insert waits for a
 * concurrent uncommitted work row and then sees it; the release is a conditional update, so
 * a redelivered undo gives nothing back twice. Use it in the step's transaction:
 *
 * ```ts
 * const rooms = new UndoMarker({
 *   table: 'hotel_reservations', key: 'booking_id', held: 'RESERVED', undone: 'CANCELLED',
 *   tombstone: { hotel_id: null, rooms: 0, nights: 0, price: 0 }, touched: 'updated_at',
 *   stock: { table: 'hotels', key: 'hotel_id', column: 'rooms_available', owner: 'hotel_id', amount: 'rooms' },
 * });
 * await rooms.undo(ctx.manager, request.bookingId);
 * ```
 */
export class UndoMarker {
  private readonly markSql: string;
  private readonly releaseSql: string;
  private readonly undone: string;
  private readonly tombstoneValues: (string | number | null)[];

  constructor(holdings: HoldingsTable) {
    const table = identifier(holdings.table);
    const key = identifier(holdings.key);
    const status = identifier(holdings.status ?? 'status');
    const held = literal(holdings.held);
    const undone = literal(holdings.undone);
    this.undone = holdings.undone;
    const columns = Object.keys(holdings.tombstone).map(identifier);
    const values = columns.map((_, i) => `$${i + 2}`);
    this.markSql =
      `INSERT INTO ${table} (${[key, status, ...columns].join(', ')}) ` +
      `VALUES (${['$1', undone, ...values].join(', ')}) ` +
      `ON CONFLICT (${key}) DO NOTHING RETURNING 1`;
    const touched = holdings.touched ? `, ${identifier(holdings.touched)} = now()` : '';
    const s = holdings.stock;
    const [stock, stockKey, column] = [
      identifier(s.table),
      identifier(s.key),
      identifier(s.column),
    ];
    const owner = identifier(s.owner);
    const amount = typeof s.amount === 'number' ? wholeNumber(s.amount) : identifier(s.amount);
    const given = typeof s.amount === 'number' ? amount : `released.${amount}`;
    this.releaseSql = `WITH released AS (
         UPDATE ${table} SET ${status} = ${undone}${touched}
          WHERE ${key} = $1 AND ${status} = ${held}
         RETURNING ${typeof s.amount === 'number' ? owner : `${owner}, ${amount}`}),
       given AS (
         UPDATE ${stock} s SET ${column} = s.${column} + ${given}
           FROM released WHERE s.${stockKey} = released.${owner}
         RETURNING 1)
       SELECT (SELECT count(*) FROM released)::int AS released`;
    this.tombstoneValues = columns.map((c) => holdings.tombstone[c]);
  }

  /**
   * Undoes the saga's holding (idempotent): a tombstone if it has none, else its stock back
   * once. Two round trips at most; one when the undo comes first.
   */
  async undo(db: SqlRunner, key: string): Promise<UndoOutcome> {
    const marked = await db.query<unknown[]>(this.markSql, [key, ...this.tombstoneValues]);
    if (marked.length === 1) return 'marked';
    // A holding exists, committed: the insert waited for it, and this new statement sees it.
    const [row] = await db.query<{ released: number }[]>(this.releaseSql, [key]);
    return row.released === 1 ? 'released' : 'already-undone';
  }

  /** Whether a holding's status says it was undone: late work for that saga is refused. */
  isUndone(status: string): boolean {
    return status === this.undone;
  }
}
