import { DynamicModule, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { LevelWithSilent } from 'pino';
import { loggerParams } from './logger-params';
import { OBSERVED_SERVICE, TracingLifecycle } from './tracing.lifecycle';

/**
 * Structured logs (pino through nestjs-pino: JSON in production, readable otherwise) and
 * OpenTelemetry tracing for one service. `createServiceApp` routes Nest's logger to pino and
 * puts each request in its own trace and log scope.
 */
@Module({})
export class ObservabilityModule {
  static forRoot(service: string): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService) =>
            loggerParams({
              service,
              level: config.get<LevelWithSilent>('LOG_LEVEL') ?? 'info',
              format:
                config.get<'json' | 'pretty'>('LOG_FORMAT') ??
                (config.get<string>('NODE_ENV') === 'production' ? 'json' : 'pretty'),
            }),
        }),
      ],
      providers: [{ provide: OBSERVED_SERVICE, useValue: service }, TracingLifecycle],
    };
  }
}
