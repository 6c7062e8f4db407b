import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '@passerelle/auth';

type RequestWithCaller = FastifyRequest & { principal?: Principal };

/** Puts the verified caller on its request (the AuthGuard does, once the token checks out). */
export function attachCaller(request: FastifyRequest, principal: Principal): void {
  (request as RequestWithCaller).principal = principal;
}

/** The verified caller of a request; an endpoint reached without one is a programming error. */
export function callerOf(request: FastifyRequest): Principal {
  const principal = (request as RequestWithCaller).principal;
  if (!principal) throw new Error('no caller on this request: is the endpoint @Public()?');
  return principal;
}

/** The verified `Principal` the AuthGuard put on the request: `@Caller() caller: Principal`. */
export const Caller = createParamDecorator((_data: unknown, context: ExecutionContext): Principal =>
  callerOf(context.switchToHttp().getRequest()),
);
