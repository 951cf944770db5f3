import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Inject, NotFoundException, Param, Req, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import { escapeXml } from '../diagrams/svg-text';
import { SAGA_DASHBOARD_OPTIONS, SagaDashboardOptions } from './saga-dashboard.options';

/**
 * Everything the page loads comes from here: no CDN, no inline script or style. The page and
 * its assets hold no data, so they need no key; the API they call does.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const ASSETS_DIR = join(__dirname, 'assets');

@ApiExcludeController()
@Controller()
export class DashboardPageController {
  private readonly page: string;
  private readonly base: string;
  private readonly assets = new Map<string, { type: string; body: string }>();

  constructor(
    @Inject(SAGA_DASHBOARD_OPTIONS) options: SagaDashboardOptions,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    const base = `/${(options.path ?? 'dashboard').replace(/^\/+|\/+$/g, '')}/`;
    this.base = base;
    this.page = readFileSync(join(ASSETS_DIR, 'index.html'), 'utf8')
      .replace(/<base href="[^"]*"\s*\/?>/, `<base href="${encodeURI(base)}" />`)
      .replace(/<title>[^<]*<\/title>/, `<title>${escapeXml(options.title ?? 'Sagas')}</title>`);
    // A fixed set, read once: a request can name only one of these files.
    for (const file of [
      'app.js',
      'api.js',
      'dom.js',
      'runs-page.js',
      'run-page.js',
      'system-page.js',
      'dashboard.css',
    ]) {
      const type = TYPES[file.slice(file.lastIndexOf('.'))];
      this.assets.set(file, { type, body: readFileSync(join(ASSETS_DIR, file), 'utf8') });
    }
  }

  /**
   * The page, always at its path with a trailing slash: that is the page's `<base>`, so the
   * links within it (`#/runs/…`) stay on the document instead of loading it again. Answered
   * through Nest's HTTP adapter, so it works on Express and on Fastify alike.
   */
  @Get()
  index(@Req() request: unknown, @Res() response: unknown): void {
    const http = this.adapterHost.httpAdapter;
    const path = String(http.getRequestUrl(request)).split('?')[0];
    if (!path.endsWith('/')) {
      http.redirect(response, 302, this.base);
      return;
    }
    this.send(response, 'text/html; charset=utf-8', 'no-store', this.page, {
      'Referrer-Policy': 'no-referrer',
    });
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() response: unknown): void {
    const asset = this.assets.get(file);
    if (!asset) throw new NotFoundException(`no dashboard asset ${file}`);
    this.send(response, asset.type, 'no-cache', asset.body);
  }

  private send(
    response: unknown,
    type: string,
    cache: string,
    body: string,
    extra: Record<string, string> = {},
  ): void {
    const http = this.adapterHost.httpAdapter;
    const headers: Record<string, string> = {
      'Content-Type': type,
      'Content-Security-Policy': DASHBOARD_CSP,
      'X-Content-Type-Options': 'nosniff',
      ...extra,
      'Cache-Control': cache,
    };
    for (const [name, value] of Object.entries(headers)) http.setHeader(response, name, value);
    http.reply(response, body, 200);
  }
}
