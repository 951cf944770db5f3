/** An audit line as the diagrams read it: from the store (`Date`) or from the HTTP API (ISO). */
export interface AuditRecord {
  at: Date | string;
  type: string;
  step: string | null;
  detail: Record<string, unknown>;
}

export function timeOf(record: AuditRecord): number {
  return record.at instanceof Date ? record.at.getTime() : Date.parse(record.at);
}

/** A detail field that should be a string, or the fallback. */
export function detailText(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}
