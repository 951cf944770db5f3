import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Inject, NotFoundException, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
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
  private readonly assets = new Map<string, { type: string; body: Buffer }>();

  constructor(@Inject(SAGA_DASHBOARD_OPTIONS) options: SagaDashboardOptions) {
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
      this.assets.set(file, { type, body: readFileSync(join(ASSETS_DIR, file)) });
    }
  }

  /**
   * The page, always at its path with a trailing slash: that is the page's `<base>`, so the
   * links within it (`#/runs/…`) stay on the document instead of loading it again.
   */
  @Get()
  index(@Req() request: Request, @Res() response: Response): void {
    if (!request.path.endsWith('/')) {
      response.redirect(302, this.base);
      return;
    }
    response
      .status(200)
      .set({
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': DASHBOARD_CSP,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-store',
      })
      .send(this.page);
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() response: Response): void {
    const asset = this.assets.get(file);
    if (!asset) throw new NotFoundException(`no dashboard asset ${file}`);
    response
      .status(200)
      .set({
        'Content-Type': asset.type,
        'Content-Security-Policy': DASHBOARD_CSP,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-cache',
      })
      .send(asset.body);
  }
}
