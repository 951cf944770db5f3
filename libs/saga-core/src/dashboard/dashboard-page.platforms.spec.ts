import { Controller, Get, INestApplication, Module, Post, UseGuards } from '@nestjs/common';
import { AbstractHttpAdapter, RouterModule } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ApiKeyAccess } from '../access/api-key-access';
import { OperatorAccessGuard, OperatorName } from '../access/operator-access.guard';
import { ReadAccessGuard } from '../access/read-access.guard';
import { DASHBOARD_CSP, DashboardPageController } from './dashboard-page.controller';
import { SAGA_DASHBOARD_OPTIONS } from './saga-dashboard.options';

/** Routes behind the library's guards, as an app puts them. */
@Controller('probe')
class ProbeController {
  @Get('read')
  @UseGuards(ReadAccessGuard)
  read(): { ok: true } {
    return { ok: true };
  }

  @Post('act')
  @UseGuards(OperatorAccessGuard)
  act(@OperatorName() operator: string): { operator: string } {
    return { operator };
  }
}

@Module({
  controllers: [DashboardPageController],
  providers: [
    { provide: SAGA_DASHBOARD_OPTIONS, useValue: { path: 'ops', title: 'Trips & <co>' } },
  ],
})
class PageModule {}

const access = new ApiKeyAccess({
  readKey: 'reader-key',
  operatorKeys: [{ name: 'ann', key: 'op-key' }],
});

/** The library's HTTP parts work on either of Nest's platforms: each case runs on both. */
describe.each([
  ['Express', () => new ExpressAdapter()],
  ['Fastify', () => new FastifyAdapter({ routerOptions: { ignoreTrailingSlash: true } })],
] as [string, () => AbstractHttpAdapter][])(
  'the dashboard page and the key guards on %s',
  (_, adapter) => {
    let app: INestApplication;
    const http = () => request(app.getHttpServer());

    beforeAll(async () => {
      const module = await Test.createTestingModule({
        imports: [PageModule, RouterModule.register([{ path: 'ops', module: PageModule }])],
        controllers: [ProbeController],
        providers: [{ provide: ApiKeyAccess, useValue: access }],
      }).compile();
      app = module.createNestApplication(adapter(), { logger: false });
      await app.init();
      const platform = app.getHttpAdapter();
      if (platform instanceof FastifyAdapter) await platform.getInstance().ready();
    });

    afterAll(() => app.close());

    it('sends the page from its path with a trailing slash, with its headers', async () => {
      await http().get('/ops').expect(302).expect('Location', '/ops/');
      const page = await http().get('/ops/').expect(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['content-security-policy']).toBe(DASHBOARD_CSP);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.text).toContain('<base href="/ops/" />');
      expect(page.text).toContain('<title>Trips &amp; &lt;co&gt;</title>');
    });

    it('sends an asset as text of its type, and 404 for a file it does not have', async () => {
      const asset = await http().get('/ops/assets/app.js').expect(200);
      expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(asset.headers['x-content-type-options']).toBe('nosniff');
      expect(asset.text).toContain('import');
      const missing = await http().get('/ops/assets/secrets.js').expect(404);
      expect(missing.body).toMatchObject({
        statusCode: 404,
        message: 'no dashboard asset secrets.js',
      });
    });

    it('reads the key from X-API-Key or a bearer token, and refuses reads without one', async () => {
      await http().get('/probe/read').expect(401);
      await http().get('/probe/read').set('X-API-Key', 'reader-key').expect(200, { ok: true });
      await http().get('/probe/read').set('Authorization', 'Bearer reader-key').expect(200);
      await http().get('/probe/read').set('X-API-Key', 'wrong').expect(401);
    });

    it("names the operator from the configuration, and refuses a reader's key", async () => {
      await http().post('/probe/act').set('X-API-Key', 'op-key').expect(201, { operator: 'ann' });
      await http().post('/probe/act').set('X-API-Key', 'reader-key').expect(401);
    });
  },
);
