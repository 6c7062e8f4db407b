import { createHash } from 'node:crypto';
import { HttpException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { AnswerEffects, IdempotencyStore } from '@passerelle/persistence';
import { problem } from '../problem/problem';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export interface PostAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** What the work wrote (rows, audit entries), committed with the kept answer in one statement. */
  effects?: AnswerEffects;
}

/**
 * Runs a POST under its `Idempotency-Key` (required): the first request does the work and its
 * answer is kept; the same key and body replay it (`Idempotent-Replayed: true`), another body is
 * `422`, a request while the first still runs `409`. A 4xx the work throws is kept like an answer
 * (the same request would get it again); anything else, including an answer that cannot be
 * stored, frees the key and becomes `503`, never a 2xx for something not stored.
 */
export async function idempotentPost(
  store: Pick<IdempotencyStore, 'claim' | 'complete' | 'release'>,
  org: string,
  key: string | undefined,
  body: unknown,
  reply: FastifyReply,
  work: () => Promise<PostAnswer>,
): Promise<unknown> {
  if (key === undefined || !IDEMPOTENCY_KEY.test(key)) {
    throw problem(400, 'send an Idempotency-Key header (1 to 255 visible ASCII characters) with every POST', {
      errors: [{ pointer: '', code: 'idempotency-key', message: 'the Idempotency-Key header is missing or malformed' }],
    });
  }
  const hash = createHash('sha256')
    .update(JSON.stringify(body ?? null))
    .digest('hex');
  const claim = await store.claim(org, key, hash);
  if (claim.kind === 'mismatch') throw problem(422, 'this Idempotency-Key was used with another request body');
  if (claim.kind === 'in-progress')
    throw problem(409, 'a request with this Idempotency-Key is still being answered; retry shortly');
  if (claim.kind === 'replay') {
    for (const [name, value] of Object.entries(claim.response.headers)) void reply.header(name, value);
    void reply.header('idempotent-replayed', 'true');
    // A kept refusal goes out through the ProblemFilter again, in the language this request asks for.
    if (claim.response.status >= 400) throw new HttpException(claim.response.body as object, claim.response.status);
    void reply.status(claim.response.status);
    return claim.response.body;
  }
  let answer: PostAnswer;
  try {
    answer = await work();
  } catch (error) {
    if (error instanceof HttpException && error.getStatus() >= 400 && error.getStatus() < 500) {
      // A refusal wrote nothing: kept for replay when it can be, else the key is simply freed.
      await store
        .complete(org, key, { status: error.getStatus(), body: error.getResponse(), headers: {} })
        .catch(() => releaseQuietly(store, org, key));
      throw error;
    }
    return unstored(store, org, key, error);
  }
  try {
    // The answer and what the work wrote (effects) commit together: failing, nothing of it is stored.
    await store.complete(
      org,
      key,
      { status: answer.status, body: answer.body, headers: answer.headers ?? {} },
      answer.effects,
    );
  } catch (error) {
    return unstored(store, org, key, error);
  }
  for (const [name, value] of Object.entries(answer.headers ?? {})) void reply.header(name, value);
  void reply.status(answer.status);
  return answer.body;
}

/** Nothing was stored: the key is freed for the retry, and the caller told so (never a 2xx). */
async function unstored(
  store: Pick<IdempotencyStore, 'release'>,
  org: string,
  key: string,
  error: unknown,
): Promise<never> {
  await releaseQuietly(store, org, key);
  throw problem(
    503,
    `the request could not be stored (${(error as Error).message}); retry with the same Idempotency-Key`,
  );
}

/** With the database itself gone the release fails too: the claim then frees itself once stale. */
async function releaseQuietly(store: Pick<IdempotencyStore, 'release'>, org: string, key: string): Promise<void> {
  await store.release(org, key).catch(() => undefined);
}
