import { createHash, timingSafeEqual } from 'node:crypto';
import { headerOf, HttpRequest } from '../http/http-request';
import { ApiKeyAccessOptions } from './api-key-access.options';

/** What a request's key lets it do. */
export interface Access {
  /** `open`: no key needed and none valid given; `none`: a key is needed and none valid given. */
  role: 'open' | 'none' | 'reader' | 'operator';
  /** The operator's configured name, for an operator key. */
  operator: string | null;
}

/**
 * Tells who a request is from its key, sent as `X-API-Key` (or `Authorization: Bearer`).
 * Every key is hashed first, so the comparisons take the same time whatever a key's length or
 * content, and every configured key is compared, so the time does not tell which one matched.
 */
export class ApiKeyAccess {
  private readonly read: Buffer | null;
  private readonly operators: { name: string; digest: Buffer }[];

  constructor(options: ApiKeyAccessOptions) {
    this.read = options.readKey ? digest(options.readKey) : null;
    this.operators = options.operatorKeys.map((k) => ({ name: k.name, digest: digest(k.key) }));
  }

  /** Whether reads need a key: only when a read key is configured. */
  get readKeyRequired(): boolean {
    return this.read !== null;
  }

  get operatorActionsEnabled(): boolean {
    return this.operators.length > 0;
  }

  identify(request: HttpRequest): Access {
    const bearer = /^Bearer (.+)$/i.exec(headerOf(request, 'authorization') ?? '')?.[1];
    const given = headerOf(request, 'x-api-key') ?? bearer;
    const none: Access = { role: this.read ? 'none' : 'open', operator: null };
    if (!given) return none;
    const key = digest(given);
    let operator: string | null = null;
    for (const candidate of this.operators) {
      if (timingSafeEqual(key, candidate.digest) && operator === null) operator = candidate.name;
    }
    if (operator !== null) return { role: 'operator', operator };
    if (this.read && timingSafeEqual(key, this.read)) return { role: 'reader', operator: null };
    return none;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
