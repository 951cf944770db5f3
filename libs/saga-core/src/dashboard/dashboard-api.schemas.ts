import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { SagaStatus } from '../model/saga-status';

/** OpenAPI schemas of the dashboard's JSON answers (the views in `run.view.ts` and services). */

const STATUSES = Object.values(SagaStatus);
const str = { type: 'string' } as const;
const nullableStr = { type: 'string', nullable: true } as const;
const int = { type: 'integer' } as const;
const time = { type: 'string', format: 'date-time' } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;

export const ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['statusCode', 'message'],
  properties: {
    statusCode: int,
    message: { oneOf: [str, { type: 'array', items: str }] },
    error: str,
  },
};

export const RUN_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    definition: { type: 'object', properties: { name: str, version: int } },
    status: { type: 'string', enum: STATUSES },
    compensating: { type: 'boolean' },
    failureReason: nullableStr,
    labels: { type: 'object', additionalProperties: str },
    createdAt: time,
    updatedAt: time,
    durationMs: int,
    steps: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: str,
          status: str,
          attempts: int,
          compensationAttempts: int,
          startedAt: { ...time, nullable: true },
          endedAt: { ...time, nullable: true },
          lastError: nullableStr,
        },
      },
    },
  },
};

export const RUNS_PAGE_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    counts: { type: 'object', properties: Object.fromEntries(STATUSES.map((s) => [s, int])) },
    runs: { type: 'array', items: RUN_SCHEMA },
    nextCursor: { ...nullableStr, description: 'Pass as `after` for the next, older page' },
  },
};

const ACTION_SCHEMA: SchemaObject = {
  type: 'object',
  properties: { allowed: { type: 'boolean' }, why: nullableStr },
};

export const RUN_DETAIL_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    run: RUN_SCHEMA,
    data: anyObject,
    audit: {
      type: 'array',
      items: {
        type: 'object',
        properties: { at: time, type: str, step: nullableStr, detail: anyObject },
      },
    },
    timelineSvg: { type: 'string', description: 'SVG: a bar per step, work and undo' },
    sequenceSvg: { type: 'string', description: 'SVG: the sequence diagram of the audit log' },
    actions: {
      type: 'object',
      properties: { cancel: ACTION_SCHEMA, retryCompensation: ACTION_SCHEMA },
    },
  },
};

export const CONFIG_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    title: str,
    statuses: { type: 'array', items: str },
    labels: { type: 'array', items: anyObject },
    dataFields: { type: 'array', items: anyObject },
    definitions: { type: 'array', items: anyObject },
  },
};

export const SESSION_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    role: { type: 'string', enum: ['open', 'none', 'reader', 'operator'] },
    operator: nullableStr,
    readKeyRequired: { type: 'boolean' },
    operatorActionsEnabled: { type: 'boolean' },
  },
};

const DEAD_LETTER_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    messageId: nullableStr,
    type: nullableStr,
    sagaId: nullableStr,
    reason: str,
    error: nullableStr,
    from: str,
    deadLetteredAt: { ...time, nullable: true },
    body: str,
  },
};

export const MOVED_SCHEMA: SchemaObject = {
  type: 'object',
  properties: { moved: { type: 'array', items: DEAD_LETTER_SCHEMA } },
};

export const SYSTEM_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    apps: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: str,
          url: nullableStr,
          status: { type: 'string', enum: ['up', 'down', 'unreachable'] },
          detail: anyObject,
        },
      },
    },
    messaging: {
      type: 'object',
      properties: {
        service: str,
        outboxPending: int,
        outboxOldestAgeSeconds: { type: 'number', nullable: true },
        inboxRows: int,
        inboxRowsCapped: { type: 'boolean' },
      },
    },
    deadLetters: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          queue: str,
          deadLetterQueue: str,
          depth: { ...int, nullable: true },
          reasons: { type: 'object', additionalProperties: int },
          messages: { type: 'array', items: DEAD_LETTER_SCHEMA },
        },
      },
    },
    faults: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          service: str,
          rules: { type: 'array', nullable: true, items: anyObject },
          note: nullableStr,
        },
      },
    },
  },
};
