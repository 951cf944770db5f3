import { loadConfig } from './config.loader';
import { ServiceConfig } from './service-config';

class ExampleConfig extends ServiceConfig {
  override PORT = 3001;
  override DATABASE_URL = 'postgres://postgres@localhost:5432/example';
}

describe('ServiceConfig', () => {
  it("keeps the app's defaults for what the environment leaves unset", () => {
    expect(loadConfig(ExampleConfig, {})).toMatchObject({
      PORT: 3001,
      DATABASE_URL: 'postgres://postgres@localhost:5432/example',
      AMQP_URL: 'amqp://guest:guest@localhost:5672',
      SAGA_GROUP_COMMIT_MAX_MESSAGES: 32,
    });
  });

  it("answers on the orchestrator's reply queue unless told otherwise", () => {
    expect(loadConfig(ExampleConfig, {}).SAGA_REPLY_QUEUES).toBe('orchestrator.replies');
    expect(
      loadConfig(ExampleConfig, { SAGA_REPLY_QUEUES: 'orchestrator.replies, probe.*' })
        .SAGA_REPLY_QUEUES,
    ).toBe('orchestrator.replies, probe.*');
  });

  it('reads the environment, numbers included', () => {
    const config = loadConfig(ExampleConfig, {
      PORT: '0',
      DATABASE_URL: 'postgresql://u:p@db:5432/x',
      AMQP_URL: 'amqps://broker/vhost',
    });
    expect(config).toMatchObject({
      PORT: 0,
      DATABASE_URL: 'postgresql://u:p@db:5432/x',
      AMQP_URL: 'amqps://broker/vhost',
    });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['AMQP_URL', 'localhost:5672'],
    ['SAGA_OUTBOX_MAX_ATTEMPTS', '0'],
    ['SAGA_OUTBOX_RETRY_DELAY_MS', 'soon'],
    ['SAGA_GROUP_COMMIT_MAX_MESSAGES', '0'],
    ['SAGA_GROUP_COMMIT_MAX_MESSAGES', '5000'],
    ['SAGA_REPLY_QUEUES', 'orchestrator.replies,amq.*'],
    ['SAGA_REPLY_QUEUES', 'orchestrator.replies.dead-letter'],
    ['SAGA_REPLY_QUEUES', 'two words'],
  ])('fails loudly, naming %s, when it is %p', (name, value) => {
    expect(() => loadConfig(ExampleConfig, { [name]: value })).toThrow(new RegExp(name));
  });
});
