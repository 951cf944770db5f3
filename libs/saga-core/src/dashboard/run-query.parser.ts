import { BadRequestException } from '@nestjs/common';
import { SagaCursor, SagaQuery } from '../persistence/saga-store.port';
import { SagaStatus } from '../model/saga-status';
import { DashboardDataField } from './saga-dashboard.options';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATUSES: readonly string[] = Object.values(SagaStatus);
const KNOWN = new Set(['status', 'definition', 'id', 'from', 'to', 'limit', 'after']);
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

/**
 * The Runs page's query string as a store query: `status`, `definition`, `id`, `from` and
 * `to` (ISO times), `label.<key>`, `data.<field>` (a configured data field), `limit` (1–200)
 * and `after` (the cursor the previous page returned). Every problem is a 400, listed.
 */
export function parseRunQuery(
  query: Record<string, unknown>,
  dataFields: readonly DashboardDataField[],
): SagaQuery {
  const problems: string[] = [];
  const result: SagaQuery = { limit: DEFAULT_LIMIT };
  const labels: Record<string, string> = {};
  const data: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(query)) {
    if (typeof raw !== 'string') {
      problems.push(`${name} must be given once`);
      continue;
    }
    if (raw === '') continue;
    if (name.startsWith('label.') && name.length > 6) {
      labels[name.slice(6)] = raw;
    } else if (name.startsWith('data.')) {
      const field = dataFields.find((f) => `data.${f.name}` === name);
      if (field) merge(data, containing(field.path, raw));
      else problems.push(`${name}: unknown data field`);
    } else if (!KNOWN.has(name)) {
      problems.push(`${name}: unknown parameter`);
    }
  }
  const at = (name: 'from' | 'to'): Date | undefined => {
    const raw = query[name];
    if (typeof raw !== 'string' || raw === '') return undefined;
    const time = new Date(raw);
    if (Number.isNaN(time.getTime())) problems.push(`${name} must be an ISO 8601 time`);
    return time;
  };
  const text = (name: string) =>
    typeof query[name] === 'string' && query[name] !== '' ? (query[name] as string) : undefined;
  const status = text('status');
  if (status !== undefined && !STATUSES.includes(status)) {
    problems.push(`status must be one of ${STATUSES.join(', ')}`);
  }
  const id = text('id');
  if (id !== undefined && !UUID.test(id)) problems.push('id must be a UUID');
  const limit = text('limit');
  if (limit !== undefined) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
      problems.push(`limit must be an integer from 1 to ${MAX_LIMIT}`);
    } else result.limit = n;
  }
  const after = text('after');
  if (after !== undefined) {
    const cursor = parseCursor(after);
    if (cursor) result.after = cursor;
    else problems.push('after must be a cursor returned by a previous page');
  }
  const [createdFrom, createdBefore] = [at('from'), at('to')];
  if (problems.length > 0) throw new BadRequestException(problems);
  return {
    ...result,
    status: status as SagaStatus | undefined,
    definitionName: text('definition'),
    id,
    createdFrom,
    createdBefore,
    labels: Object.keys(labels).length > 0 ? labels : undefined,
    dataContains: Object.keys(data).length > 0 ? data : undefined,
  };
}

/**
 * `<created_at ISO>_<id>`. `created_at` is written from the engine's clock, in milliseconds,
 * so the ISO time holds it exactly.
 */
export function formatCursor(cursor: SagaCursor): string {
  return `${cursor.createdAt.toISOString()}_${cursor.id}`;
}

function parseCursor(text: string): SagaCursor | null {
  const [at, id] = text.split('_');
  const createdAt = new Date(at ?? '');
  if (!id || !UUID.test(id) || Number.isNaN(createdAt.getTime())) return null;
  return { createdAt, id };
}

/** `customer.id` and `c-1` → `{ customer: { id: 'c-1' } }`. */
function containing(path: string, value: string): Record<string, unknown> {
  return path
    .split('.')
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

/** Deep, so two fields under one key (`customer.id`, `customer.tier`) both hold. */
function merge(into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(from)) {
    const current = into[key];
    if (isObject(current) && isObject(value)) merge(current, value);
    else into[key] = value;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
