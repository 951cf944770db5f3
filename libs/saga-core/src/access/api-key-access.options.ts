/** An operator's key and the name the audit log records for whoever presents it. */
export interface OperatorKey {
  name: string;
  key: string;
}

export interface ApiKeyAccessOptions {
  /** Reads need it (or an operator key) when set; without it they are open. */
  readKey?: string;
  /** Operator actions need one of these; with none, they are off. */
  operatorKeys: readonly OperatorKey[];
}

/** The name `OPERATOR_API_KEY` alone gives its holder in the audit log. */
export const DEFAULT_OPERATOR_NAME = 'operator';

/**
 * Operator keys from `name:key,name:key` (`OPERATOR_API_KEYS`) and a single unnamed key
 * (`OPERATOR_API_KEY`, kept for compatibility, named `operator`). A key is split from its
 * name at the first colon, so a key may hold colons but no comma.
 */
export function parseOperatorKeys(named?: string, single?: string): OperatorKey[] {
  const keys: OperatorKey[] = [];
  for (const pair of (named ?? '').split(',')) {
    const colon = pair.indexOf(':');
    if (colon <= 0) continue;
    keys.push({ name: pair.slice(0, colon).trim(), key: pair.slice(colon + 1).trim() });
  }
  if (single) keys.push({ name: DEFAULT_OPERATOR_NAME, key: single });
  return keys;
}
