import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { loadConfig } from '@app/platform';
import { OrchestratorConfig } from '../../apps/orchestrator/src/config/orchestrator.config';

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition?: string }>;
}

interface ComposeFile {
  services: Record<string, ComposeService>;
}

interface NestCli {
  projects: Record<string, { type: string }>;
}

const ROOT = join(__dirname, '../..');
/** Every app of the monorepo, as `nest-cli.json` lists its projects. */
const APPS = Object.entries(
  (JSON.parse(readFileSync(join(ROOT, 'nest-cli.json'), 'utf8')) as NestCli).projects,
).flatMap(([name, project]) => (project.type === 'application' ? [name] : []));
/** `${NAME:?message}`: Compose refuses to start while NAME is unset or empty. */
const REQUIRED_VARIABLE = /^\$\{[A-Z][A-Z0-9_]*:\?[^}]+\}$/;

const text = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const parse = (source: string) => load(source) as ComposeFile;

/** `${…}` references in the file's values (comments aside); `$${…}` is an escaped dollar. */
const REFERENCE = /(?<!\$)\$\{([^}]*)\}/g;

/** Compose's interpolation of `${NAME:?…}`, with the values an operator would set. */
function interpolate(compose: ComposeFile, values: Record<string, string>): ComposeFile {
  const json = JSON.stringify(compose).replace(REFERENCE, (_, inner: string) => {
    const name = inner.split(':?')[0];
    const value = values[name];
    if (value === undefined) throw new Error(`${name} is required but the test did not set it`);
    return value;
  });
  return JSON.parse(json) as ComposeFile;
}

describe.each(['docker-compose.yml', 'docker-compose.prod.yml'])('%s', (file) => {
  const compose = parse(text(file));

  it('runs every app, each built from the image with its own entry point', () => {
    for (const name of APPS) {
      expect(compose.services[name]?.command).toEqual(['node', `dist/apps/${name}/src/main.js`]);
    }
  });

  it('checks the health of every service, and starts the apps once their servers are healthy', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect({ name, check: service.healthcheck?.test?.length }).toEqual({
        name,
        check: expect.any(Number),
      });
    }
    for (const name of APPS) {
      expect(compose.services[name].depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        rabbitmq: { condition: 'service_healthy' },
      });
      expect(compose.services[name].healthcheck?.test?.join(' ')).toContain('/health');
    }
  });
});

describe('the runtimes in the images', () => {
  it('builds the apps on a current Node.js LTS (22 or 24)', () => {
    const bases = [...text('Dockerfile').matchAll(/^FROM node:(\d+)\.\d+-/gm)].map((m) => m[1]);
    expect(bases.length).toBe(2);
    for (const major of bases) expect(['22', '24']).toContain(major);
  });

  it.each(['docker-compose.yml', 'docker-compose.prod.yml'])('runs RabbitMQ 4.x in %s', (file) => {
    expect(parse(text(file)).services.rabbitmq.image).toMatch(/^rabbitmq:4\.\d+-/);
  });

  it('says in package.json which Node.js versions run the code', () => {
    const { engines } = JSON.parse(text('package.json')) as { engines: { node: string } };
    expect(engines.node).toBe('^20.19.0 || ^22.12.0 || >=24.0.0');
  });
});

describe('docker-compose.prod.yml', () => {
  const compose = parse(text('docker-compose.prod.yml'));
  // What Compose reads, comments aside.
  const source = JSON.stringify(compose);
  const services = Object.entries(compose.services);

  it('has no default credentials: neither guest nor a trusted or password-less postgres', () => {
    expect(source).not.toMatch(/guest/i);
    expect(source).not.toMatch(/trust/i);
    expect(source).not.toMatch(/postgres:\/\/postgres@/);
    expect(compose.services.postgres.environment).toEqual({
      POSTGRES_USER: expect.stringMatching(REQUIRED_VARIABLE),
      POSTGRES_PASSWORD: expect.stringMatching(REQUIRED_VARIABLE),
    });
    expect(compose.services.rabbitmq.environment).toEqual({
      RABBITMQ_DEFAULT_USER: expect.stringMatching(REQUIRED_VARIABLE),
      RABBITMQ_DEFAULT_PASS: expect.stringMatching(REQUIRED_VARIABLE),
    });
  });

  it('takes every variable from the environment, with no fallback value', () => {
    const references = source.match(REFERENCE) ?? [];
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) expect(reference).toMatch(REQUIRED_VARIABLE);
  });

  it('runs every app in production, with fault injection off and an operator key required', () => {
    for (const name of APPS) {
      const environment = compose.services[name].environment ?? {};
      expect({ name, nodeEnv: environment.NODE_ENV }).toEqual({ name, nodeEnv: 'production' });
      expect(Object.keys(environment)).not.toContain('FAULTS_ENABLED');
    }
    expect(compose.services.orchestrator.environment?.OPERATOR_API_KEY).toMatch(REQUIRED_VARIABLE);
    expect(compose.services.orchestrator.environment?.READ_API_KEY).toMatch(REQUIRED_VARIABLE);
  });

  it('keeps PostgreSQL and RabbitMQ off the host network', () => {
    for (const [name, service] of services) {
      if (!APPS.includes(name))
        expect({ name, ports: service.ports }).toEqual({ name, ports: undefined });
    }
  });

  it('gives the orchestrator a configuration it boots with once the variables are set', () => {
    const values = {
      POSTGRES_USER: 'saga',
      POSTGRES_PASSWORD: 'pg-Secret_1',
      RABBITMQ_USER: 'saga',
      RABBITMQ_PASSWORD: 'mq-Secret_2',
      OPERATOR_API_KEY: 'an-operator-key-of-some-length',
      READ_API_KEY: 'a-read-key-of-some-length',
    };
    const environment = interpolate(compose, values).services.orchestrator.environment;
    const config = loadConfig(OrchestratorConfig, environment);
    expect(new URL(config.DATABASE_URL).password).toBe(values.POSTGRES_PASSWORD);
    expect(new URL(config.AMQP_URL).password).toBe(values.RABBITMQ_PASSWORD);
    expect(config).toMatchObject({
      NODE_ENV: 'production',
      OPERATOR_API_KEY: values.OPERATOR_API_KEY,
      READ_API_KEY: values.READ_API_KEY,
      FLIGHT_URL: 'http://flight-service:3001',
    });
    expect(config.FAULTS_ENABLED).toBeUndefined();
  });
});
