import { createHash } from 'node:crypto';
import {
  HttpException,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { IdempotencyStore, type AnswerEffects } from '@passerelle/persistence';
import { callerOf } from '../auth/caller.decorator';
import { problem } from '../problem/problem';
import { IdempotentAnswer } from './idempotent-answer';
import { IdempotencyErrorCode } from './idempotency.error';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

interface PostAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  effects?: AnswerEffects;
}

/** What makes two requests under one key the same request: the route, its path parameters and the body. */
export function requestHash(request: Pick<FastifyRequest, 'routeOptions' | 'params' | 'body'>): string {
  const shape = { route: request.routeOptions.url ?? '', params: request.params ?? {}, body: request.body ?? null };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex');
}

/**
 * Runs a POST under its `Idempotency-Key` (required): the first request does the work (the
 * handler, its pipes included) and its answer is kept; the same key and request replay it
 * (`Idempotent-Replayed: true`), another request is `422`, a request while the first still runs
 * `409`. A 4xx the work throws is kept like an answer (the same request would get it again);
 * any other failure, including an answer that cannot be stored, frees the key and goes on to the
 * ProblemFilter (PostgreSQL or Kafka down: `503`), never a 2xx for something not stored. A claim
 * that cannot be made stores nothing and fails the same way. The answer's status is the
 * handler's (`@HttpCode`).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly store: IdempotencyStore) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const key = request.headers['idempotency-key'];
    return from(
      answerOnce(this.store, callerOf(request).org, typeof key === 'string' ? key : undefined, request, reply, () =>
        lastValueFrom(next.handle()),
      ),
    );
  }
}

type Store = Pick<IdempotencyStore, 'claim' | 'complete' | 'release'>;

async function answerOnce(
  store: Store,
  org: string,
  key: string | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
  work: () => Promise<unknown>,
): Promise<unknown> {
  if (key === undefined || !IDEMPOTENCY_KEY.test(key)) {
    throw problem(400, 'send an Idempotency-Key header (1 to 255 visible ASCII characters) with every POST', {
      code: IdempotencyErrorCode.KeyMissing,
      errors: [{ pointer: '', code: 'idempotency-key', message: 'the Idempotency-Key header is missing or malformed' }],
    });
  }
  const claim = await store.claim(org, key, requestHash(request));
  if (claim.kind === 'mismatch')
    throw problem(422, 'this Idempotency-Key was used with another request body', {
      code: IdempotencyErrorCode.KeyReused,
    });
  if (claim.kind === 'in-progress')
    throw problem(409, 'a request with this Idempotency-Key is still being answered; retry shortly', {
      code: IdempotencyErrorCode.InProgress,
    });
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
    answer = postAnswer(await work(), reply.statusCode);
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
      { status: answer.status, body: answer.body, headers: answer.headers },
      answer.effects,
    );
  } catch (error) {
    return unstored(store, org, key, error);
  }
  for (const [name, value] of Object.entries(answer.headers)) void reply.header(name, value);
  void reply.status(answer.status);
  return answer.body;
}

function postAnswer(result: unknown, status: number): PostAnswer {
  if (!(result instanceof IdempotentAnswer)) return { status, body: result, headers: {} };
  const { headers = {}, effects } = result.extras;
  return { status, body: result.body as unknown, headers, ...(effects !== undefined && { effects }) };
}

/** Nothing was stored: the key is freed for the retry, and the failure goes on to the ProblemFilter. */
async function unstored(store: Pick<Store, 'release'>, org: string, key: string, error: unknown): Promise<never> {
  await releaseQuietly(store, org, key);
  throw error;
}

/** With the database itself gone the release fails too: the claim then frees itself once stale. */
async function releaseQuietly(store: Pick<Store, 'release'>, org: string, key: string): Promise<void> {
  await store.release(org, key).catch(() => undefined);
}
