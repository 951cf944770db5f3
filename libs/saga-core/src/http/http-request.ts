import type { IncomingHttpHeaders } from 'node:http';

/**
 * What the library reads of an HTTP request: its headers, as Node.js parses them. Express's
 * and Fastify's requests both have them, so the guards and controllers work on either
 * platform (`@nestjs/platform-express` or `@nestjs/platform-fastify`).
 */
export interface HttpRequest {
  headers: IncomingHttpHeaders;
}

/** One header's value: the first, if a client sent it more than once; undefined if absent. */
export function headerOf(request: HttpRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
