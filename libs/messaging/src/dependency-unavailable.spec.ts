import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
} from 'kafkajs';
import { unavailableDependency } from './dependency-unavailable';
import { MessagingError, MessagingErrorCode } from './messaging.error';

/** An error as node-postgres raises it: a message and, from the server, a SQLSTATE `code`. */
function pgError(message: string, code?: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

/** A kafkajs protocol error as the broker's error code makes it (`retriable` from the protocol table). */
function protocolError(type: string, retriable: boolean): Error {
  return new KafkaJSProtocolError({ message: type, type, code: 0, retriable } as unknown as Error);
}

describe('unavailableDependency', () => {
  it.each([
    ['server shutting down (57P01)', pgError('terminating connection due to administrator command', '57P01')],
    ['starting up (57P03)', pgError('the database system is starting up', '57P03')],
    ['too many connections (53300)', pgError('sorry, too many clients already', '53300')],
    ['connection failure (08006)', pgError('connection failure', '08006')],
    ['refused socket', pgError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['reset socket', pgError('read ECONNRESET', 'ECONNRESET')],
    ['connection lost mid-query', pgError('Connection terminated unexpectedly')],
    ['pool could not connect in time', pgError('timeout exceeded when trying to connect')],
    ['client broken by an earlier error', pgError('Client has encountered a connection error and is not queryable')],
    ['wrapped in a cause', new Error('could not claim the key', { cause: pgError('x', '57P01') })],
  ])('says the database is down for %s', (_, error) => {
    expect(unavailableDependency(error)).toBe('database');
  });

  it.each([
    ['connection refused', new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092')],
    ['request timed out', new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out')],
    [
      'retries given up on a lost connection',
      new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection error: read ECONNRESET'), {
        retryCount: 5,
        retryTime: 12_000,
      }),
    ],
    ['too few in-sync replicas', protocolError('NOT_ENOUGH_REPLICAS', true)],
    ['no leader', protocolError('LEADER_NOT_AVAILABLE', true)],
    ['a producer sequence lost in a broker restart', protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', false)],
    ['our own wait for acks', new MessagingError(MessagingErrorCode.WriteTimedOut, 'no acks within 5000 ms')],
  ])('says Kafka is down for %s', (_, error) => {
    expect(unavailableDependency(error)).toBe('kafka');
  });

  it.each([
    ['a unique violation', pgError('duplicate key value violates unique constraint', '23505')],
    ['a syntax error', pgError('syntax error at or near "selec"', '42601')],
    ['a serialization failure (retried by its own unit of work)', pgError('could not serialize access', '40001')],
    ['a record too large for the broker', protocolError('MESSAGE_TOO_LARGE', false)],
    ['a non-retriable kafkajs error', new KafkaJSNonRetriableError('bad config')],
    ['a decode failure', new MessagingError(MessagingErrorCode.InvalidJson, 'not JSON')],
    ['a programming error', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['something not an Error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('blames no dependency for %s', (_, error) => {
    expect(unavailableDependency(error)).toBeUndefined();
  });
});
