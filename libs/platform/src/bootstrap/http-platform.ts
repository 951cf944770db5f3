import type { IncomingMessage } from 'node:http';
import { parse as parseForm } from 'node:querystring';
import { BadRequestException } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';

/** The largest request body an app reads: 100 KiB, as body-parser's default was. */
const BODY_LIMIT_BYTES = 100 * 1024;

const ROUTE = Symbol('saga.http.route');

/** A Node.js request as the HTTP platform hands it to middleware, with its matched route. */
type RoutedRequest = IncomingMessage & { [ROUTE]?: string };

/**
 * The route template a request matched (`/bookings/:id`), once the platform has routed it;
 * undefined for a request no route matched.
 */
export function routeOf(request: IncomingMessage): string | undefined {
  return (request as RoutedRequest)[ROUTE];
}

/**
 * The apps' HTTP platform: Fastify (measured against Express in docs/benchmarks.md). A path
 * with or without its trailing slash is the same route, as it was on Express. On close (the
 * last step of a shutdown, once the engine and the database are gone, so no request could be
 * answered any more), every connection is closed, so that no open `?wait=` or half-sent body
 * keeps the process from exiting.
 */
export function httpAdapter(): FastifyAdapter {
  return new FastifyAdapter({
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: BODY_LIMIT_BYTES,
  });
}

/**
 * How the apps read a request, the same on every route and as documented: a JSON body must be
 * an object or an array, else `400` with Nest's error body; a form body is parsed too; a body of
 * any other type is not parsed (`@Body()` is then empty, and validation lists what is missing);
 * and a `GET` with a body gets it read as well, so a body that cannot be read gets its `400`
 * there too. Each request also keeps the route it matched, for its span (`routeOf`).
 */
export function readRequestsAsDocumented(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHttpMethod('GET', { hasBody: true, overrideExisting: true });
  fastify.addHook('onRequest', (request, _reply, done) => {
    (request.raw as RoutedRequest)[ROUTE] = request.routeOptions.url;
    done();
  });
  app.useBodyParser('application/json', {}, (_request, body, done) => {
    const text = body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value !== 'object' || value === null) {
        throw new SyntaxError('a JSON body must be an object or an array');
      }
      done(null, value);
    } catch (error) {
      done(new BadRequestException((error as Error).message), undefined);
    }
  });
  app.useBodyParser('application/x-www-form-urlencoded', {}, (_request, body, done) =>
    done(null, { ...parseForm(body.toString('utf8')) }),
  );
  for (const type of ['text/plain', '*']) {
    app.useBodyParser(type, {}, (_request, _body, done) => done(null, undefined));
  }
}
