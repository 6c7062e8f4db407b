import { ConfigError } from './config';
import { loadRetentionConfig } from './retention';

describe('loadRetentionConfig', () => {
  it('uses the documented defaults: audit entries kept forever', () => {
    expect(loadRetentionConfig({})).toMatchObject({
      intervalMs: 3_600_000,
      batchRows: 1000,
      closedReferralPersonalDays: 30,
      webhookDeliveryDays: 90,
      idempotencyKeyHours: 24,
      inboxDays: 60,
      clientKeyDays: 60,
      closedRecordDays: 90,
      auditLogDays: undefined,
      dlqTopicRetentionDays: 30,
    });
  });

  it('reads a number of days for the audit log', () => {
    expect(loadRetentionConfig({ RETENTION_AUDIT_LOG_DAYS: '3650' }).auditLogDays).toBe(3650);
  });

  it('names every bad setting', () => {
    let error: unknown;
    try {
      loadRetentionConfig({
        RETENTION_CLOSED_REFERRAL_PERSONAL_DAYS: '0',
        RETENTION_WEBHOOK_DELIVERY_DAYS: '-5',
        RETENTION_IDEMPOTENCY_KEY_HOURS: '1.5',
        RETENTION_CLIENT_KEY_DAYS: 'two months',
        RETENTION_CLOSED_RECORD_DAYS: '0',
        RETENTION_AUDIT_LOG_DAYS: 'never',
        RETENTION_INTERVAL_MS: 'hourly',
        KAFKA_RETENTION_DLQ_DAYS: '',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'KAFKA_RETENTION_DLQ_DAYS: "" is not a positive integer',
      'RETENTION_INTERVAL_MS: "hourly" is not a positive integer',
      'RETENTION_CLOSED_REFERRAL_PERSONAL_DAYS: "0" is not a positive integer',
      'RETENTION_WEBHOOK_DELIVERY_DAYS: "-5" is not a positive integer',
      'RETENTION_IDEMPOTENCY_KEY_HOURS: "1.5" is not a positive integer',
      'RETENTION_CLIENT_KEY_DAYS: "two months" is not a positive integer',
      'RETENTION_CLOSED_RECORD_DAYS: "0" is not a positive integer',
      'RETENTION_AUDIT_LOG_DAYS: "never" is neither a positive number of days nor forever',
    ]);
  });

  it('refuses an inbox that forgets events a topic still holds, naming both settings', () => {
    expect(() => loadRetentionConfig({ RETENTION_INBOX_DAYS: '30', KAFKA_RETENTION_DEIDENTIFIED_DAYS: '10' })).toThrow(
      'RETENTION_INBOX_DAYS: 30 days must exceed KAFKA_RETENTION_DLQ_DAYS (30 days)',
    );
    expect(() => loadRetentionConfig({ RETENTION_INBOX_DAYS: '40', KAFKA_RETENTION_RAW_DAYS: '45' })).toThrow(
      'must exceed KAFKA_RETENTION_RAW_DAYS (45 days)',
    );
    expect(loadRetentionConfig({ RETENTION_INBOX_DAYS: '31' }).inboxDays).toBe(31);
  });

  it('refuses client keys destroyed while a topic still holds what they sealed, naming both settings', () => {
    expect(() =>
      loadRetentionConfig({ RETENTION_CLIENT_KEY_DAYS: '30', KAFKA_RETENTION_DEIDENTIFIED_DAYS: '10' }),
    ).toThrow(
      'RETENTION_CLIENT_KEY_DAYS: 30 days must exceed KAFKA_RETENTION_DLQ_DAYS (30 days): a record still on a topic would no longer open',
    );
    expect(() =>
      loadRetentionConfig({
        RETENTION_CLIENT_KEY_DAYS: '50',
        RETENTION_INBOX_DAYS: '90',
        KAFKA_RETENTION_RAW_DAYS: '50',
      }),
    ).toThrow('RETENTION_CLIENT_KEY_DAYS: 50 days must exceed KAFKA_RETENTION_RAW_DAYS (50 days)');
    expect(loadRetentionConfig({ RETENTION_CLIENT_KEY_DAYS: '31' }).clientKeyDays).toBe(31);
    // Both checks failing: both named at once.
    let error: unknown;
    try {
      loadRetentionConfig({ RETENTION_CLIENT_KEY_DAYS: '20', RETENTION_INBOX_DAYS: '25' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.split(':')[0])).toEqual([
      'RETENTION_INBOX_DAYS',
      'RETENTION_CLIENT_KEY_DAYS',
    ]);
  });
});
