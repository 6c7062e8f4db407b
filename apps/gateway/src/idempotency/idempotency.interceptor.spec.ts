import { HttpException, type CallHandler, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KafkaJSConnectionError } from 'kafkajs';
import { from, lastValueFrom } from 'rxjs';
import { unavailableDependency } from '@passerelle/messaging';
import type { IdempotencyClaim, IdempotencyStore, StoredResponse } from '@passerelle/persistence';
import { problem } from '../problem/problem';
import { IdempotencyInterceptor, requestHash } from './idempotency.interceptor';
import { IdempotentAnswer } from './idempotent-answer';

/** The store's decisions as the PostgreSQL one makes them (tested on the real database in test/gateway). */
class MemoryStore {
  readonly rows = new Map<string, { hash: string; response?: StoredResponse }>();
  released: string[] = [];
  /** Set: storing answers fails, as with PostgreSQL gone or a row the answer carries refused. */
  failWrites?: Error;
  claim(org: string, key: string, hash: string): Promise<IdempotencyClaim> {
    const row = this.rows.get(`${org}|${key}`);
    if (!row) {
      this.rows.set(`${org}|${key}`, { hash });
      return Promise.resolve({ kind: 'new' });
    }
    if (row.hash !== hash) return Promise.resolve({ kind: 'mismatch' });
    return Promise.resolve(row.response ? { kind: 'replay', response: row.response } : { kind: 'in-progress' });
  }
  complete(org: string, key: string, response: StoredResponse): Promise<void> {
    if (this.failWrites) return Promise.reject(this.failWrites);
    this.rows.get(`${org}|${key}`)!.response = response;
    return Promise.resolve();
  }
  release(org: string, key: string): Promise<void> {
    this.rows.delete(`${org}|${key}`);
    this.released.push(key);
    return Promise.resolve();
  }
}

function fakeReply(): FastifyReply & { sent: { status?: number; headers: Record<string, string> } } {
  const sent: { status?: number; headers: Record<string, string> } = { headers: {} };
  const reply = {
    sent,
    // What Nest set from the handler's @HttpCode before the interceptor ran.
    statusCode: 201,
    status(code: number) {
      sent.status = code;
      return reply;
    },
    header(name: string, value: string) {
      sent.headers[name] = value;
      return reply;
    },
  };
  return reply as unknown as FastifyReply & { sent: typeof sent };
}

function fakeRequest(org: string, key: string | undefined, body: unknown): FastifyRequest {
  return {
    headers: key === undefined ? {} : { 'idempotency-key': key },
    routeOptions: { url: '/v1/things' },
    params: {},
    body,
    principal: { org },
  } as unknown as FastifyRequest;
}

/** What a handler answered, as the work of a test: its status (Nest's @HttpCode), body and headers. */
interface WorkAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** One POST through the interceptor, the handler doing `work`. */
function idempotentPost(
  store: MemoryStore,
  org: string,
  key: string | undefined,
  body: unknown,
  reply: ReturnType<typeof fakeReply>,
  work: () => Promise<WorkAnswer>,
): Promise<unknown> {
  const interceptor = new IdempotencyInterceptor(store as unknown as IdempotencyStore);
  const request = fakeRequest(org, key, body);
  const context = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
  } as unknown as ExecutionContext;
  const handler: CallHandler = {
    handle: () =>
      from(
        work().then((answer) => {
          reply.statusCode = answer.status;
          return new IdempotentAnswer(answer.body, {
            ...(answer.headers !== undefined && { headers: answer.headers }),
          });
        }),
      ),
  };
  return lastValueFrom(interceptor.intercept(context, handler));
}

/** Work that succeeds: `202 {ok: true}`. */
const accepted = (): Promise<WorkAnswer> => Promise.resolve({ status: 202, body: { ok: true } });

/** The status the caller gets: the ProblemFilter answers a dependency failure 503, anything else unknown 500. */
const statusOf = async (promise: Promise<unknown>): Promise<number> =>
  promise.then(
    () => 200,
    (error: unknown) =>
      error instanceof HttpException ? error.getStatus() : unavailableDependency(error) !== undefined ? 503 : 500,
  );

/** What node-postgres raises when the server goes away mid-query. */
const connectionLost = (): Error => new Error('Connection terminated unexpectedly');

describe('IdempotencyInterceptor (@Idempotent)', () => {
  it('refuses a POST without a usable Idempotency-Key, before any work', async () => {
    const store = new MemoryStore();
    let worked = false;
    const work = () => ((worked = true), Promise.resolve({ status: 202, body: {} }));
    expect(await statusOf(idempotentPost(store, 'ow:a', undefined, {}, fakeReply(), work))).toBe(400);
    expect(await statusOf(idempotentPost(store, 'ow:a', 'bad key with spaces', {}, fakeReply(), work))).toBe(400);
    expect(worked).toBe(false);
  });

  it('replays the first answer for the same key and body, 422 for another body, 409 while the first runs', async () => {
    const store = new MemoryStore();
    let calls = 0;
    const work = () => (
      (calls += 1),
      Promise.resolve({ status: 202, body: { n: calls }, headers: { location: '/x' } })
    );
    const first = fakeReply();
    expect(await idempotentPost(store, 'ow:a', 'k1', { a: 1 }, first, work)).toEqual({ n: 1 });
    expect(first.sent).toEqual({ status: 202, headers: { location: '/x' } });
    const again = fakeReply();
    expect(await idempotentPost(store, 'ow:a', 'k1', { a: 1 }, again, work)).toEqual({ n: 1 });
    expect(again.sent.headers).toMatchObject({ location: '/x', 'idempotent-replayed': 'true' });
    expect(calls).toBe(1);
    expect(await statusOf(idempotentPost(store, 'ow:a', 'k1', { a: 2 }, fakeReply(), work))).toBe(422);
    // Keys are per organization.
    expect(await idempotentPost(store, 'ow:b', 'k1', { a: 2 }, fakeReply(), work)).toEqual({ n: 2 });
    await store.claim('ow:a', 'k2', requestHash(fakeRequest('ow:a', 'k2', { a: 3 }))); // a first request still running
    expect(await statusOf(idempotentPost(store, 'ow:a', 'k2', { a: 3 }, fakeReply(), work))).toBe(409);
  });

  it('keeps a 4xx answer for replay, but frees the key and answers 503 when nothing could be stored', async () => {
    const store = new MemoryStore();
    const refused = (): Promise<never> => Promise.reject(problem(400, 'no', { code: 'INVALID_BODY' }));
    expect(await statusOf(idempotentPost(store, 'ow:a', 'k4', {}, fakeReply(), refused))).toBe(400);
    // The replay is the same refusal, thrown again for the ProblemFilter (so it speaks the caller's language).
    const replayed = fakeReply();
    const again = await idempotentPost(store, 'ow:a', 'k4', {}, replayed, refused).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(HttpException);
    expect((again as HttpException).getStatus()).toBe(400);
    expect((again as HttpException).getResponse()).toMatchObject({ title: 'Bad request', detail: 'no' });
    expect(replayed.sent).toMatchObject({ headers: { 'idempotent-replayed': 'true' } });

    const brokerDown = (): Promise<never> =>
      Promise.reject(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092'));
    expect(await statusOf(idempotentPost(store, 'ow:a', 'k5', {}, fakeReply(), brokerDown))).toBe(503);
    expect(store.released).toEqual(['k5']);
    // The key is free: the retry does the work.
    expect(await idempotentPost(store, 'ow:a', 'k5', {}, fakeReply(), accepted)).toEqual({ ok: true });
  });

  it('answers 503 and frees the key when the answer and what the work wrote cannot be stored, never a 2xx', async () => {
    const store = new MemoryStore();
    store.failWrites = connectionLost();
    const reply = fakeReply();
    const stored = idempotentPost(store, 'ow:a', 'k6', {}, reply, accepted);
    expect(await statusOf(stored)).toBe(503);
    expect(reply.sent.status).toBeUndefined();
    expect(store.released).toEqual(['k6']);
    // Back up: the retry with the same key does the work and is answered.
    store.failWrites = undefined;
    expect(await idempotentPost(store, 'ow:a', 'k6', {}, fakeReply(), accepted)).toEqual({ ok: true });
  });

  it('still refuses with the 4xx when the refusal cannot be kept, and frees the key', async () => {
    const store = new MemoryStore();
    store.failWrites = connectionLost();
    expect(
      await statusOf(
        idempotentPost(store, 'ow:a', 'k7', {}, fakeReply(), () =>
          Promise.reject(problem(400, 'no', { code: 'INVALID_BODY' })),
        ),
      ),
    ).toBe(400);
    expect(store.released).toEqual(['k7']);
  });

  it('answers 503 even when freeing the key fails too (the claim frees itself once stale)', async () => {
    const store = new MemoryStore();
    store.failWrites = connectionLost();
    store.release = () => Promise.reject(connectionLost());
    expect(
      await statusOf(
        idempotentPost(store, 'ow:a', 'k8', {}, fakeReply(), () => Promise.resolve({ status: 202, body: {} })),
      ),
    ).toBe(503);
  });

  it('stores nothing and does no work when the key cannot be claimed (the database down)', async () => {
    const store = new MemoryStore();
    store.claim = () =>
      Promise.reject(Object.assign(new Error('the database system is shutting down'), { code: '57P03' }));
    let worked = false;
    const work = () => ((worked = true), accepted());
    expect(await statusOf(idempotentPost(store, 'ow:a', 'k9', {}, fakeReply(), work))).toBe(503);
    expect(worked).toBe(false);
  });

  it('frees the key and lets a failure of our own through as a 500, not a 503', async () => {
    const store = new MemoryStore();
    const bug = (): Promise<never> =>
      Promise.reject(new TypeError("Cannot read properties of undefined (reading 'id')"));
    expect(await statusOf(idempotentPost(store, 'ow:a', 'k10', {}, fakeReply(), bug))).toBe(500);
    expect(store.released).toEqual(['k10']);
  });
});
