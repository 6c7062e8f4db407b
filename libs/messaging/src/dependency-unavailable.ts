import { isDatabaseUnavailable, isErrorLike } from '@passerelle/persistence';
import { MessagingError, MessagingErrorCode } from './messaging.error';

/** kafkajs errors that say the cluster (or the part of it a request needs) cannot be reached now. */
const BROKER_UNREACHABLE = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSTimeout',
  'KafkaJSLockTimeout',
]);

/**
 * Protocol errors about the idempotent producer's own state after a failure: the publisher starts
 * a new producer on any failed request, so a retry of the same write succeeds.
 */
const PRODUCER_STATE = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH']);

/**
 * Whether `error` (or one it wraps: kafkajs gives up with `KafkaJSNumberOfRetriesExceeded` around
 * the last failure) says Kafka cannot take or serve the request now: a connection refused or
 * lost, a request timed out, no leader or too few in-sync replicas (a retriable protocol error),
 * or our own wait for acks=all running out.
 */
export function isBrokerUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; isErrorLike(current) && depth < 5; depth += 1) {
    if (current instanceof MessagingError) return current.code === MessagingErrorCode.WriteTimedOut;
    const name = typeof current.name === 'string' ? current.name : '';
    if (BROKER_UNREACHABLE.has(name)) return true;
    if (name === 'KafkaJSProtocolError') {
      const { retriable, type } = current as { retriable?: unknown; type?: unknown };
      if (retriable === true || (typeof type === 'string' && PRODUCER_STATE.has(type))) return true;
    }
    current = current.cause;
  }
  return false;
}

/** The infrastructure a failure says is down, if it says so: the one mapping every caller uses. */
export type UnavailableDependency = 'database' | 'kafka';

/**
 * Which dependency `error` says is unavailable (PostgreSQL or Kafka), or `undefined` for any other
 * failure. The gateway answers the former `503` with `Retry-After`; consumers retry them without
 * counting attempts towards the DLQ (the record is fine, the infrastructure is not).
 */
export function unavailableDependency(error: unknown): UnavailableDependency | undefined {
  if (isDatabaseUnavailable(error)) return 'database';
  if (isBrokerUnavailable(error)) return 'kafka';
  return undefined;
}
