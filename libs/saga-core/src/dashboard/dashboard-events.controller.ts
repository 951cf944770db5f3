import { Controller, MessageEvent, Sse, UseGuards } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { interval, map, merge, Observable, of } from 'rxjs';
import { SAGA_DASHBOARD_TAG } from './saga-dashboard.openapi';
import { ApiReadKey } from '../access/api-key-security.decorators';
import { ReadAccessGuard } from '../access/read-access.guard';
import { ERROR_SCHEMA } from './dashboard-api.schemas';
import { DashboardChangeFeed } from './dashboard-change-feed';

const KEEPALIVE_MS = 15_000;

@ApiTags(SAGA_DASHBOARD_TAG)
@UseGuards(ReadAccessGuard)
@Controller()
export class DashboardEventsController {
  constructor(private readonly feed: DashboardChangeFeed) {}

  @Sse('api/events')
  @ApiReadKey()
  @ApiOperation({
    summary: 'Server-sent events: every saga transition, as it commits',
    description:
      '`ready` once connected, then `change` events `{ sagaId, status }`, and a `ping` every 15 s',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An event stream', schema: { type: 'string' } })
  @ApiUnauthorizedResponse({
    description: 'A read key is configured and no valid key was sent',
    schema: ERROR_SCHEMA,
  })
  events(): Observable<MessageEvent> {
    return merge(
      of<MessageEvent>({ type: 'ready', data: {} }),
      this.feed.changes.pipe(map((change): MessageEvent => ({ type: 'change', data: change }))),
      interval(KEEPALIVE_MS).pipe(map((): MessageEvent => ({ type: 'ping', data: {} }))),
    );
  }
}
