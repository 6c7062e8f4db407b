import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { IdempotencyInterceptor } from './idempotency.interceptor';

/**
 * The POST runs under its `Idempotency-Key` (see `IdempotencyInterceptor`). The handler returns
 * its body, or an `IdempotentAnswer` with headers and effects to commit with the kept answer.
 */
export const Idempotent = (): MethodDecorator => applyDecorators(UseInterceptors(IdempotencyInterceptor));
