import { INestApplication, ValidationPipe } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { CreateServiceAppOptions, createServiceApp, loadConfig, Env } from '@app/saga-core';
import { OrchestratorConfig } from './config/orchestrator.config';
import { OrchestratorModule } from './orchestrator.module';

/** The orchestrator, migrated and consuming but not listening; `env` defaults to the process's. */
export function createOrchestratorApp(
  env: Env = process.env,
  options: Pick<CreateServiceAppOptions, 'logger'> = {},
): Promise<INestApplication> {
  const config = loadConfig(OrchestratorConfig, env);
  return createServiceApp(OrchestratorModule.forRoot(config), {
    ...options,
    databaseUrl: config.DATABASE_URL,
    configure: (app) => {
      // Bad input gets a 400 listing each problem; unknown fields anywhere are refused.
      app.useGlobalPipes(
        new ValidationPipe({
          whitelist: true,
          forbidNonWhitelisted: true,
          forbidUnknownValues: true,
          transform: true,
        }),
      );
      const document = SwaggerModule.createDocument(
        app,
        new DocumentBuilder()
          .setTitle('Saga orchestrator')
          .setDescription('Trip bookings run as durable sagas over PostgreSQL and RabbitMQ')
          .setVersion('1')
          .addApiKey(
            {
              type: 'apiKey',
              in: 'header',
              name: 'X-API-Key',
              description:
                'READ_API_KEY: needed by reads once it is configured (always in production)',
            },
            'read-api-key',
          )
          .addApiKey(
            {
              type: 'apiKey',
              in: 'header',
              name: 'X-API-Key',
              description:
                'One of OPERATOR_API_KEYS (or OPERATOR_API_KEY): operator actions, and reads',
            },
            'operator-api-key',
          )
          .build(),
      );
      SwaggerModule.setup('docs', app, document);
    },
  });
}
