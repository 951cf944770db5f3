import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { acquireTracing } from '@app/saga-core';

export const OBSERVED_SERVICE = Symbol('OBSERVED_SERVICE');

/**
 * Registers the process's tracer provider before anything is handled (exporting over OTLP
 * when `OTEL_EXPORTER_OTLP_ENDPOINT` is set) and flushes it once the app has stopped.
 */
@Injectable()
export class TracingLifecycle implements OnModuleInit, OnApplicationShutdown {
  private release: (() => Promise<void>) | null = null;

  constructor(
    @Inject(OBSERVED_SERVICE) private readonly service: string,
    private readonly config: ConfigService,
  ) {}

  onModuleInit(): void {
    this.release ??= acquireTracing({
      serviceName: this.service,
      otlpEndpoint: this.config.get<string>('OTEL_EXPORTER_OTLP_ENDPOINT'),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.release?.();
    this.release = null;
  }
}
