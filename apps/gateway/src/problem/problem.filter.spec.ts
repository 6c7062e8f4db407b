import { ConsoleLogger, Logger, type ArgumentsHost } from '@nestjs/common';
import { KafkaJSNumberOfRetriesExceeded, KafkaJSConnectionError } from 'kafkajs';
import { MessagingError, MessagingErrorCode } from '@passerelle/messaging';
import { problem } from './problem';
import { ProblemFilter, UNAVAILABLE_RETRY_AFTER_SECONDS } from './problem.filter';

interface Sent {
  status?: number;
  headers: Record<string, string>;
  body?: Record<string, unknown>;
}

/** The filter's answer to `exception`, for a request with these headers. */
function answer(exception: unknown, headers: Record<string, string> = {}, method = 'POST'): Sent {
  const sent: Sent = { headers: {} };
  const reply = {
    status: (code: number) => ((sent.status = code), reply),
    header: (name: string, value: string) => ((sent.headers[name] = value), reply),
    send: (body: Record<string, unknown>) => ((sent.body = body), reply),
  };
  const request = { url: '/v1/referrals?x=1', method, headers };
  const host = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ArgumentsHost;
  new ProblemFilter().catch(exception, host);
  return sent;
}

const shuttingDown = Object.assign(new Error('the database system is shutting down'), { code: '57P01' });

describe('ProblemFilter', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));

  it('answers a database outage 503 with Retry-After, naming no internals', () => {
    const sent = answer(shuttingDown, { 'idempotency-key': 'k1' });
    expect(sent.status).toBe(503);
    expect(sent.headers['retry-after']).toBe(String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    expect(sent.headers['content-type']).toBe('application/problem+json');
    expect(sent.body).toEqual({
      type: '/v1/problems/dependency-unavailable',
      title: 'Service unavailable',
      status: 503,
      detail: 'the database is unavailable right now; retry in 5 s with the same Idempotency-Key',
      instance: '/v1/referrals',
    });
  });

  it('answers Kafka down (connection lost, or no acks in time) 503, and a read without the key part', () => {
    const lost = new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection error: ECONNREFUSED'), {
      retryCount: 5,
      retryTime: 9_000,
    });
    expect(answer(lost, { 'idempotency-key': 'k1' }).body).toMatchObject({
      status: 503,
      detail: 'Kafka is unavailable right now; retry in 5 s with the same Idempotency-Key',
    });
    const timedOut = new MessagingError(MessagingErrorCode.WriteTimedOut, 'no acks within 5000 ms');
    const read = answer(timedOut, {}, 'GET');
    expect(read.status).toBe(503);
    expect(read.body).toMatchObject({ detail: 'Kafka is unavailable right now; retry in 5 s' });
  });

  it('says it in French when the caller prefers it', () => {
    const sent = answer(shuttingDown, { 'idempotency-key': 'k1', 'accept-language': 'fr-CA' });
    expect(sent.headers['content-language']).toBe('fr');
    expect(sent.body).toMatchObject({
      title: 'Service indisponible',
      detail: 'la base de données est indisponible pour le moment; réessayez dans 5 s avec la même clé Idempotency-Key',
    });
    expect(answer(new KafkaJSConnectionError('x'), { 'accept-language': 'fr' }).body).toMatchObject({
      detail: 'Kafka est indisponible pour le moment; réessayez dans 5 s',
    });
  });

  it('keeps a bare 500 for a failure of our own, and problems thrown as they are', () => {
    const bug = answer(new TypeError('x is undefined'));
    expect(bug.status).toBe(500);
    expect(bug.headers).not.toHaveProperty('retry-after');
    expect(bug.body).toEqual({
      type: 'about:blank',
      title: 'Internal server error',
      status: 500,
      instance: '/v1/referrals',
    });
    expect(answer(problem(409, 'already withdrawn', { code: 'CONSENT_ALREADY_WITHDRAWN' })).body).toMatchObject({
      status: 409,
      detail: 'already withdrawn',
    });
  });
});
