import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export interface OpenApiOptions {
  title: string;
  description: string;
  /** The port the app listens on by default, named in its server's description. */
  defaultPort: number;
  /** Every tag its operations use, with what the tag groups. */
  tags: Record<string, string>;
  /**
   * API key schemes (all the header `X-API-Key`) by name, with what each key is, for the
   * operations that declare them (`@ApiReadKey()`, `@ApiOperatorKey()`).
   */
  apiKeys?: Record<string, string>;
}

/** Tags of the operations every service has (`/health`, `/metrics`). */
const SERVICE_TAGS = { observability: 'Health and Prometheus metrics' };

/**
 * A service's OpenAPI document, complete enough to pass Redocly's recommended rules and
 * Spectral's `spectral:oas`: licence, contact, server, tags with descriptions and, by default,
 * no security (`security: []`); an operation that needs a key says so with
 * `@ApiReadKey()` or `@ApiOperatorKey()` and answers 401.
 */
export function createOpenApiDocument(
  app: INestApplication,
  options: OpenApiOptions,
): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle(options.title)
    .setDescription(options.description)
    .setVersion('1')
    .setLicense('MIT', 'https://opensource.org/license/mit')
    // Relative: the server that serves the document (by default on localhost:<defaultPort>).
    .addServer('/', `This service (port ${options.defaultPort} unless PORT says otherwise)`);
  for (const [name, description] of Object.entries({ ...options.tags, ...SERVICE_TAGS })) {
    builder.addTag(name, description);
  }
  for (const [name, description] of Object.entries(options.apiKeys ?? {})) {
    builder.addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description }, name);
  }
  const config = builder.build();
  config.info.contact = { name: 'nest-saga' };
  const document = SwaggerModule.createDocument(app, config);
  // Open unless an operation says otherwise: every operation then has its security defined.
  document.security ??= [];
  return document;
}

/** Serves the document at `/docs` (the page) and `/docs-json`. */
export function serveOpenApi(app: INestApplication, options: OpenApiOptions): void {
  SwaggerModule.setup('docs', app, () => createOpenApiDocument(app, options));
}
