import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * The request's `Idempotency-Key`, in an `@Idempotent()` handler (whose interceptor refused the
 * request unless it had a usable one). Use cases derive their event ids from it, so a retried
 * request yields the same event.
 */
export const IdempotencyKey = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const key = context.switchToHttp().getRequest<FastifyRequest>().headers['idempotency-key'];
  if (typeof key !== 'string') throw new Error('no Idempotency-Key on this request: is the handler @Idempotent()?');
  return key;
});
