import { ConfigError, loadConfig, parsers } from './config';
import {
  databaseSettings,
  httpSettings,
  kafkaSettings,
  personalDataSettings,
  processSettings,
  webhookDeliverySettings,
  webhookSubscriptionSettings,
} from './settings';

const all = { ...kafkaSettings, ...databaseSettings, ...processSettings, ...httpSettings };

describe('loadConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    expect(loadConfig(all, {})).toEqual({
      kafkaBrokers: ['127.0.0.1:9092'],
      topicPrefix: '',
      topicPartitions: 3,
      replicationFactor: 1,
      maxAttempts: 5,
      retryBaseMs: 200,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 3_000,
      rawTopicRetentionDays: 7,
      canonicalTopicRetentionDays: 7,
      deidentifiedTopicRetentionDays: 30,
      notificationTopicRetentionDays: 7,
      dlqTopicRetentionDays: 30,
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/test',
      databaseSchema: 'passerelle',
      logLevel: 'info',
      logDestination: 'stdout',
      shutdownTimeoutMs: 30_000,
      port: 3000,
      host: '0.0.0.0',
      bodyLimitBytes: 1_048_576,
      rateLimitPerSecond: 100,
      rateLimitBurst: 200,
      kafkaWriteTimeoutMs: 5_000,
    });
  });

  it('parses what is set', () => {
    const config = loadConfig(all, { KAFKA_BROKERS: 'a:1, b:2', PORT: '8080', DATABASE_SCHEMA: 'ow_east' });
    expect(config.kafkaBrokers).toEqual(['a:1', 'b:2']);
    expect(config.port).toBe(8080);
    expect(config.databaseSchema).toBe('ow_east');
  });

  it('names every wrong setting at once, not just the first', () => {
    let error: unknown;
    try {
      loadConfig(all, {
        PORT: '70000',
        KAFKA_BROKERS: 'nohost',
        DATABASE_URL: 'http://db',
        DATABASE_SCHEMA: 'Robert"); drop table',
        CONSUMER_MAX_ATTEMPTS: '0',
        LOG_LEVEL: 'chatty',
        LOG_DESTINATION: 'syslog',
        KAFKA_TOPIC_PREFIX: 'a b',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of [
      'PORT',
      'KAFKA_BROKERS',
      'DATABASE_URL',
      'DATABASE_SCHEMA',
      'CONSUMER_MAX_ATTEMPTS',
      'LOG_LEVEL',
      'LOG_DESTINATION',
      'KAFKA_TOPIC_PREFIX',
    ]) {
      expect(problems).toContain(name);
    }
    expect((error as ConfigError).problems).toHaveLength(8);
  });

  it('reports a required setting that has no default', () => {
    const spec = { secret: { name: 'SIGNING_KEY', description: 'key that signs tokens', parse: parsers.string } };
    expect(() => loadConfig(spec, {})).toThrow('SIGNING_KEY is required (key that signs tokens)');
    expect(() => loadConfig(spec, { SIGNING_KEY: '  ' })).toThrow('SIGNING_KEY: must not be empty');
  });
});

describe('parsers.secretKey', () => {
  const hex = 'ab'.repeat(32);
  it('reads hex or base64, and nothing for empty', () => {
    expect(parsers.secretKey(32)(hex)).toEqual(Buffer.alloc(32, 0xab));
    expect(parsers.secretKey(32, true)(Buffer.alloc(32, 7).toString('base64'))).toEqual(Buffer.alloc(32, 7));
    expect(parsers.secretKey(32)('')).toBeUndefined();
  });

  it('refuses a key of the wrong size, naming the size it has', () => {
    expect(() => parsers.secretKey(32)('ab'.repeat(16))).toThrow('must hold at least 32 bytes (hex or base64), has 16');
    expect(parsers.secretKey(32)('ab'.repeat(48))).toHaveLength(48);
    expect(() => parsers.secretKey(32, true)('ab'.repeat(48))).toThrow(
      'must hold exactly 32 bytes (hex or base64), has 48',
    );
  });

  it('is what WEBHOOK_SECRET_KEY and MINISTRY_PSEUDONYM_KEY parse with', () => {
    expect(loadConfig(webhookDeliverySettings, { WEBHOOK_SECRET_KEY: hex }).webhookSecretKey).toEqual(
      Buffer.alloc(32, 0xab),
    );
    expect(() => loadConfig(webhookDeliverySettings, { WEBHOOK_SECRET_KEY: 'c2hvcnQ=' })).toThrow(
      'WEBHOOK_SECRET_KEY: must hold exactly 32 bytes',
    );
    expect(() => loadConfig(webhookDeliverySettings, { WEBHOOK_ADDRESSES: 'intranet' })).toThrow(
      'WEBHOOK_ADDRESSES: "intranet" is not one of public, loopback, any',
    );
    expect(() => loadConfig(webhookSubscriptionSettings, { WEBHOOK_HTTP_URLS: 'sometimes' })).toThrow(
      'WEBHOOK_HTTP_URLS: "sometimes" is not one of none, loopback, any',
    );
  });

  it('reads the previous keys of a rotation as a list, naming a wrong one', () => {
    const other = 'cd'.repeat(32);
    expect(loadConfig(webhookDeliverySettings, {}).webhookSecretPreviousKeys).toEqual([]);
    expect(
      loadConfig(webhookDeliverySettings, { WEBHOOK_SECRET_PREVIOUS_KEYS: `${hex}, ${other}` })
        .webhookSecretPreviousKeys,
    ).toEqual([Buffer.alloc(32, 0xab), Buffer.alloc(32, 0xcd)]);
    expect(() => loadConfig(webhookDeliverySettings, { WEBHOOK_SECRET_PREVIOUS_KEYS: `${hex},c2hvcnQ=` })).toThrow(
      'WEBHOOK_SECRET_PREVIOUS_KEYS: key 2 must hold exactly 32 bytes',
    );
  });

  it('requires the personal data master key: a 32-byte key, or `clear` spelled out, never empty or missing', () => {
    expect(loadConfig(personalDataSettings, { PERSONAL_DATA_MASTER_KEY: hex }).personalDataMasterKey).toEqual(
      Buffer.alloc(32, 0xab),
    );
    expect(
      loadConfig(personalDataSettings, { PERSONAL_DATA_MASTER_KEY: 'clear' }).personalDataMasterKey,
    ).toBeUndefined();
    expect(() => loadConfig(personalDataSettings, {})).toThrow('PERSONAL_DATA_MASTER_KEY is required');
    expect(() => loadConfig(personalDataSettings, { PERSONAL_DATA_MASTER_KEY: '' })).toThrow(
      'PERSONAL_DATA_MASTER_KEY: is empty',
    );
    expect(() => loadConfig(personalDataSettings, { PERSONAL_DATA_MASTER_KEY: 'c2hvcnQ=' })).toThrow(
      'PERSONAL_DATA_MASTER_KEY: must hold exactly 32 bytes',
    );
  });
});
