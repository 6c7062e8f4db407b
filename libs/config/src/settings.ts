import { parsers, setting } from './config';
import { WEBHOOK_ADDRESS_POLICIES, type WebhookAddressPolicy } from './webhook-addresses';

/**
 * How long Kafka keeps each kind of topic (`retention.ms`, set at provisioning on new and
 * existing topics alike). README, "Retention", says why each value.
 */
export const topicRetentionSettings = {
  rawTopicRetentionDays: setting({
    name: 'KAFKA_RETENTION_RAW_DAYS',
    description:
      "days Kafka keeps the raw source topics (personal data as the networks sent it): long enough to replay a week's records after an adapter fix",
    default: '7',
    parse: parsers.positiveInt,
  }),
  canonicalTopicRetentionDays: setting({
    name: 'KAFKA_RETENTION_CANONICAL_DAYS',
    description:
      'days Kafka keeps the canonical topics (clients, referrals, consents, service events, outcomes): the ledger in PostgreSQL is the record, the topic only carries it',
    default: '7',
    parse: parsers.positiveInt,
  }),
  deidentifiedTopicRetentionDays: setting({
    name: 'KAFKA_RETENTION_DEIDENTIFIED_DAYS',
    description:
      'days Kafka keeps the de-identified ministry topic, so a ministry consumer can catch up after a month out',
    default: '30',
    parse: parsers.positiveInt,
  }),
  notificationTopicRetentionDays: setting({
    name: 'KAFKA_RETENTION_NOTIFICATIONS_DAYS',
    description: 'days Kafka keeps the notification topics (no personal data; webhooks keep their own log)',
    default: '7',
    parse: parsers.positiveInt,
  }),
  dlqTopicRetentionDays: setting({
    name: 'KAFKA_RETENTION_DLQ_DAYS',
    description: 'days Kafka keeps the dead-letter topics, the time given to fix and replay a refused record',
    default: '30',
    parse: parsers.positiveInt,
  }),
};

/** Settings every app shares; each app adds its own. The README's table lists these. */
export const kafkaSettings = {
  kafkaBrokers: setting({
    name: 'KAFKA_BROKERS',
    description: 'Kafka bootstrap servers, comma-separated host:port',
    default: '127.0.0.1:9092',
    parse: parsers.brokers,
  }),
  topicPrefix: setting({
    name: 'KAFKA_TOPIC_PREFIX',
    description: 'prefix of every topic name, to share a cluster between environments (empty: none)',
    default: '',
    parse: (raw: string): string => {
      if (!/^[a-zA-Z0-9._-]*$/.test(raw)) throw new Error(`"${raw}" may only hold letters, digits, '.', '_' and '-'`);
      return raw;
    },
  }),
  topicPartitions: setting({
    name: 'KAFKA_TOPIC_PARTITIONS',
    description: 'partitions of each contract topic created at start-up',
    default: '3',
    parse: parsers.positiveInt,
  }),
  replicationFactor: setting({
    name: 'KAFKA_REPLICATION_FACTOR',
    description: 'replication factor of topics created at start-up',
    default: '1',
    parse: parsers.positiveInt,
  }),
  maxAttempts: setting({
    name: 'CONSUMER_MAX_ATTEMPTS',
    description: 'attempts of a failing record before it goes to <topic>.dlq',
    default: '5',
    parse: parsers.positiveInt,
  }),
  retryBaseMs: setting({
    name: 'CONSUMER_RETRY_BASE_MS',
    description: 'first retry delay in ms (doubles each attempt)',
    default: '200',
    parse: parsers.positiveInt,
  }),
  sessionTimeoutMs: setting({
    name: 'KAFKA_SESSION_TIMEOUT_MS',
    description:
      'consumer group session timeout: how long a consumer that stopped heart-beating (a killed process) keeps its partitions before the group hands them to the others',
    default: '10000',
    parse: parsers.positiveInt,
  }),
  heartbeatIntervalMs: setting({
    name: 'KAFKA_HEARTBEAT_INTERVAL_MS',
    description: 'how often a consumer tells its group it is alive (at most a third of the session timeout)',
    default: '3000',
    parse: parsers.positiveInt,
  }),
  ...topicRetentionSettings,
};

export const databaseSettings = {
  databaseUrl: setting({
    name: 'DATABASE_URL',
    description: 'PostgreSQL connection URL',
    default: 'postgres://postgres@127.0.0.1:5432/test',
    parse: parsers.postgresUrl,
  }),
  databaseSchema: setting({
    name: 'DATABASE_SCHEMA',
    description: 'PostgreSQL schema holding Passerelle tables',
    default: 'passerelle',
    parse: parsers.identifier,
  }),
};

export const processSettings = {
  logLevel: setting({
    name: 'LOG_LEVEL',
    description: 'pino log level',
    default: 'info',
    parse: parsers.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  }),
  logDestination: setting({
    name: 'LOG_DESTINATION',
    description:
      "where the JSON log lines go: stdout, or stderr when stdout carries something else (a benchmark's results)",
    default: 'stdout',
    parse: parsers.oneOf(['stdout', 'stderr']),
  }),
  shutdownTimeoutMs: setting({
    name: 'SHUTDOWN_TIMEOUT_MS',
    description: 'how long SIGTERM waits for in-flight work before exiting',
    default: '30000',
    parse: parsers.positiveInt,
  }),
};

export const httpSettings = {
  port: setting({ name: 'PORT', description: 'gateway HTTP port', default: '3000', parse: parsers.port }),
  host: setting({ name: 'HOST', description: 'gateway listen address', default: '0.0.0.0', parse: parsers.string }),
  bodyLimitBytes: setting({
    name: 'HTTP_BODY_LIMIT_BYTES',
    description:
      'largest JSON request body the gateway reads, in bytes; a larger one is refused with 413 (bulk uploads are streamed and limited per line instead)',
    default: '1048576',
    parse: parsers.positiveInt,
  }),
  rateLimitPerSecond: setting({
    name: 'RATE_LIMIT_PER_SECOND',
    description:
      'authenticated requests per second an organization may make, on average, per gateway replica; beyond it requests get 429 with Retry-After',
    default: '100',
    parse: parsers.positiveInt,
  }),
  kafkaWriteTimeoutMs: setting({
    name: 'KAFKA_WRITE_TIMEOUT_MS',
    description:
      'longest a write request waits for Kafka to acknowledge (acks=all) before it is answered 503 with Retry-After; the same Idempotency-Key may then be retried',
    default: '5000',
    parse: parsers.positiveInt,
  }),
  rateLimitBurst: setting({
    name: 'RATE_LIMIT_BURST',
    description: 'requests an organization may make at once above its per-second rate (the token bucket size)',
    default: '200',
    parse: parsers.positiveInt,
  }),
};

/**
 * Settings of `POST /v1/ow/case-records:batch`. Keep `INGEST_MAX_LINE_BYTES` and
 * `INGEST_BATCH_BYTES` under the broker's `message.max.bytes` (1 MiB by default): a record, and a
 * batch's share of one partition, must fit in one Kafka request.
 */
export const ingestSettings = {
  maxLineBytes: setting({
    name: 'INGEST_MAX_LINE_BYTES',
    description: 'longest line (one record) a bulk upload may hold, in bytes; longer lines are rejected as too large',
    default: '1000000',
    parse: parsers.positiveInt,
  }),
  batchRecords: setting({
    name: 'INGEST_BATCH_RECORDS',
    description: 'records of a bulk upload produced to Kafka per acks=all request',
    default: '500',
    parse: parsers.positiveInt,
  }),
  batchBytes: setting({
    name: 'INGEST_BATCH_BYTES',
    description: 'bytes of record values produced to Kafka per acks=all request, at most (a larger record goes alone)',
    default: '900000',
    parse: parsers.positiveInt,
  }),
};

/** Settings of the referral tracker. */
export const trackerSettings = {
  responseBusinessDays: setting({
    name: 'REFERRAL_RESPONSE_BUSINESS_DAYS',
    description:
      'Ontario business days (statutory holidays excluded) a provider has to accept or reject a referral before referral.overdue',
    default: '5',
    parse: parsers.positiveInt,
  }),
  pseudonymKey: setting({
    name: 'MINISTRY_PSEUDONYM_KEY',
    description:
      'secret key (at least 32 bytes, hex or base64) of the keyed pseudonyms in ministry.outcomes.v1; empty: a random key per process, so pseudonyms are not stable across restarts (development only)',
    default: '',
    parse: parsers.secretKey(32),
  }),
  timerPollMs: setting({
    name: 'TRACKER_TIMER_POLL_MS',
    description: 'how often the tracker looks for due timers (overdue referrals, outcome follow-ups), in ms',
    default: '1000',
    parse: parsers.positiveInt,
  }),
};

/** Who may call the gateway: JWTs verified against a JWKS (DESIGN.md, "Who may do what"). */
export const authSettings = {
  jwks: setting({
    name: 'AUTH_JWKS',
    description:
      'JWKS of the token issuers: a file path or an https URL; empty: only the local development key (AUTH_DEV_KEYS)',
    default: '',
    parse: (raw: string): string => raw.trim(),
  }),
  issuer: setting({
    name: 'AUTH_ISSUER',
    description: 'issuer (`iss`) every token must carry',
    default: 'passerelle-dev',
    parse: parsers.string,
  }),
  audience: setting({
    name: 'AUTH_AUDIENCE',
    description: 'audience (`aud`) every token must carry',
    default: 'passerelle',
    parse: parsers.string,
  }),
  devKeys: setting({
    name: 'AUTH_DEV_KEYS',
    description:
      'trust the local development signing key of `npm run token` (true for development; set false in production)',
    default: 'true',
    parse: (raw: string): boolean => {
      if (raw !== 'true' && raw !== 'false') throw new Error(`"${raw}" is not true or false`);
      return raw === 'true';
    },
  }),
  devKeyDir: setting({
    name: 'AUTH_DEV_KEY_DIR',
    description: 'where the local development signing key is kept (created on first use, mode 0600)',
    default: '.cache/dev-jwt',
    parse: parsers.string,
  }),
};

/**
 * Which addresses webhooks may go to: checked by the gateway on a URL that names an address, and
 * by the dispatcher on every address a host name resolves to, at each delivery.
 */
const webhookAddresses = setting({
  name: 'WEBHOOK_ADDRESSES',
  description:
    "which addresses webhooks may be sent to: `public` (globally routable addresses only: production), `loopback` (public ones and this machine's loopback: development) or `any`; private, link-local (cloud metadata), multicast and other special-purpose ranges are refused unless `any`",
  default: 'loopback',
  parse: parsers.oneOf<WebhookAddressPolicy>(WEBHOOK_ADDRESS_POLICIES),
});

/**
 * The key webhook signing secrets are sealed with in PostgreSQL: the gateway seals what it
 * stores, the dispatcher opens what it signs with, so both read the same setting.
 */
const webhookSecretKey = setting({
  name: 'WEBHOOK_SECRET_KEY',
  description:
    'key (exactly 32 bytes, hex or base64) webhook signing secrets are sealed with (AES-256-GCM) in PostgreSQL, the same for the gateway and the dispatcher; empty: secrets are kept in clear (development only)',
  default: '',
  parse: parsers.secretKey(32, true),
});

/** Keys that sealed secrets before WEBHOOK_SECRET_KEY was rotated: they still open, never seal. */
const webhookSecretPreviousKeys = setting({
  name: 'WEBHOOK_SECRET_PREVIOUS_KEYS',
  description:
    'keys WEBHOOK_SECRET_KEY replaced (comma-separated, 32 bytes each): secrets they sealed still open; `npm run webhooks:reseal` moves them onto the current key, after which they can be dropped',
  default: '',
  parse: parsers.secretKeys(32, true),
});

/** Which webhook URLs the gateway accepts: https always; plain http per this policy. */
export type WebhookHttpPolicy = 'none' | 'loopback' | 'any';

/** Settings of the gateway's webhook subscriptions (`/v1/webhooks`). */
export const webhookSubscriptionSettings = {
  webhookHttpUrls: setting({
    name: 'WEBHOOK_HTTP_URLS',
    description:
      'which plain-http webhook URLs a subscription may use: `none` (https only: production), `loopback` (http only to 127.0.0.1, ::1 or localhost: development) or `any`',
    default: 'loopback',
    parse: parsers.oneOf<WebhookHttpPolicy>(['none', 'loopback', 'any']),
  }),
  webhookAddresses,
  webhookSecretKey,
  webhookSecretPreviousKeys,
};

/** Settings of apps/webhook-dispatcher: how deliveries are sent and retried. */
export const webhookDeliverySettings = {
  webhookAddresses,
  webhookSecretKey,
  webhookSecretPreviousKeys,
  timeoutMs: setting({
    name: 'WEBHOOK_TIMEOUT_MS',
    description: 'how long one webhook POST may take (connect, send, answer), in ms, before it counts as failed',
    default: '10000',
    parse: parsers.positiveInt,
  }),
  maxAttempts: setting({
    name: 'WEBHOOK_MAX_ATTEMPTS',
    description: 'attempts of a webhook delivery before it is marked failed',
    default: '12',
    parse: parsers.positiveInt,
  }),
  maxAgeMs: setting({
    name: 'WEBHOOK_MAX_AGE_MS',
    description:
      'age (since the notification arrived) after which a webhook delivery is no longer retried and is marked failed, in ms',
    default: '86400000',
    parse: parsers.positiveInt,
  }),
  retryBaseMs: setting({
    name: 'WEBHOOK_RETRY_BASE_MS',
    description:
      'delay before the first webhook retry, in ms; doubles each attempt, with jitter (half fixed, half random)',
    default: '10000',
    parse: parsers.positiveInt,
  }),
  retryMaxMs: setting({
    name: 'WEBHOOK_RETRY_MAX_MS',
    description: 'longest delay between two webhook attempts, in ms',
    default: '3600000',
    parse: parsers.positiveInt,
  }),
  concurrency: setting({
    name: 'WEBHOOK_CONCURRENCY',
    description: 'webhook POSTs one dispatcher replica has in flight at most',
    default: '16',
    parse: parsers.positiveInt,
  }),
  pollMs: setting({
    name: 'WEBHOOK_POLL_MS',
    description:
      'how often the dispatcher looks for due webhook deliveries, in ms (a new notification wakes it at once)',
    default: '1000',
    parse: parsers.positiveInt,
  }),
};

/**
 * Crypto-shredding of the `personal` member: every app that seals or opens it (gateway, adapters,
 * tracker) reads the same master key.
 */
export const personalDataSettings = {
  personalDataMasterKey: setting({
    name: 'PERSONAL_DATA_MASTER_KEY',
    description:
      "key (exactly 32 bytes, hex or base64) wrapping each client's data key of its `personal` member (AES-256-GCM), required by the gateway, the adapters and the tracker (the same for each; `npm start` makes a development key in .cache/); `clear` writes personal data unsealed, only to measure what sealing costs (`npm run bench`), never in production",
    parse: (raw: string): Buffer | undefined => {
      if (raw === 'clear') return undefined;
      const key = parsers.secretKey(32, true)(raw);
      if (key === undefined) throw new Error('is empty: set a key (32 bytes, hex or base64), or `clear`');
      return key;
    },
  }),
  personalDataPreviousKeys: setting({
    name: 'PERSONAL_DATA_PREVIOUS_KEYS',
    description:
      'keys PERSONAL_DATA_MASTER_KEY replaced (comma-separated, 32 bytes each): data keys they wrapped still open; `npm run keys:rotate` re-wraps them under the current key, after which they can be dropped',
    default: '',
    parse: parsers.secretKeys(32, true),
  }),
  personalDataKeyCacheMs: setting({
    name: 'PERSONAL_DATA_KEY_CACHE_MS',
    description:
      "how long a client's data key (or its erasure) is cached in memory, in ms: an erasure takes effect in the other replicas within this time",
    default: '30000',
    parse: parsers.positiveInt,
  }),
};

/**
 * How long the database keeps each kind of data (README, "Retention"), and how often the
 * tracker's retention job purges what is past it. Read through `loadRetentionConfig`, which also
 * checks the settings against each other.
 */
export const retentionSettings = {
  ...topicRetentionSettings,
  intervalMs: setting({
    name: 'RETENTION_INTERVAL_MS',
    description: 'how often the retention job runs, in ms (once across replicas per interval)',
    default: '3600000',
    parse: parsers.positiveInt,
  }),
  batchRows: setting({
    name: 'RETENTION_BATCH_ROWS',
    description: 'rows the retention job deletes or de-identifies per statement, so a backlog never holds long locks',
    default: '1000',
    parse: parsers.positiveInt,
  }),
  closedReferralPersonalDays: setting({
    name: 'RETENTION_CLOSED_REFERRAL_PERSONAL_DAYS',
    description:
      "days a closed referral (terminal status) keeps its client's personal data after its last change; then the ledger keeps it de-identified",
    default: '30',
    parse: parsers.positiveInt,
  }),
  webhookDeliveryDays: setting({
    name: 'RETENTION_WEBHOOK_DELIVERY_DAYS',
    description:
      'days a webhook delivery and its attempts are kept after the delivery ended (delivered, failed or cancelled)',
    default: '90',
    parse: parsers.positiveInt,
  }),
  idempotencyKeyHours: setting({
    name: 'RETENTION_IDEMPOTENCY_KEY_HOURS',
    description: 'hours an Idempotency-Key and its kept answer are kept; a retry after that is a new request',
    default: '24',
    parse: parsers.positiveInt,
  }),
  inboxDays: setting({
    name: 'RETENTION_INBOX_DAYS',
    description:
      'days a consumer remembers an applied event id (deduplication); must exceed every KAFKA_RETENTION_*_DAYS, so no record a topic still holds is forgotten',
    default: '60',
    parse: parsers.positiveInt,
  }),
  clientKeyDays: setting({
    name: 'RETENTION_CLIENT_KEY_DAYS',
    description:
      "days a client's data key is kept after it was last used (to seal or to open personal data), once none of the client's referrals is open; then the key is destroyed (every copy of the personal data it sealed becomes unreadable) and the client's source-id links dropped; must exceed every KAFKA_RETENTION_*_DAYS, so every record a topic still holds opens",
    default: '60',
    parse: parsers.positiveInt,
  }),
  closedRecordDays: setting({
    name: 'RETENTION_CLOSED_RECORD_DAYS',
    description:
      'days fired or cancelled timers, resolved link conflicts and acknowledged alerts are kept after they were done',
    default: '90',
    parse: parsers.positiveInt,
  }),
  auditLogDays: setting({
    name: 'RETENTION_AUDIT_LOG_DAYS',
    description:
      'days audit entries are kept (`forever`: never purged); a purge leaves a checkpoint the chain is verified from',
    default: 'forever',
    parse: (raw: string): number | undefined => {
      if (raw === 'forever') return undefined;
      if (!/^\d+$/.test(raw) || Number(raw) < 1)
        throw new Error(`"${raw}" is neither a positive number of days nor forever`);
      return Number(raw);
    },
  }),
};
