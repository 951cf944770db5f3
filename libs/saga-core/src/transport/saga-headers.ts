/** Headers named so belong to the saga, not to one message: participants pass them on. */
export const SAGA_HEADER_PREFIX = 'x-saga-';

/** The `x-saga-` headers of a delivery, as text, to put on what its handling publishes. */
export function sagaHeadersOf(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const passed: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(SAGA_HEADER_PREFIX)) continue;
    const text = Buffer.isBuffer(value) ? value.toString('utf8') : value;
    if (typeof text === 'string') passed[name] = text;
  }
  return passed;
}
