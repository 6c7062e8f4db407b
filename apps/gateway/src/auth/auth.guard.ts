import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthError, AuthErrorCode, TokenVerifier } from '@passerelle/auth';
import { problem } from '../problem/problem';
import { ACCESS_RULE, PUBLIC_ENDPOINT, type AccessRule } from './access';
import { attachCaller } from './caller.decorator';
import type { OrgRateLimiter } from './org-rate-limiter';
import { PlatformErrorCode } from '../platform/platform.error';

export const TOKEN_VERIFIER = Symbol('TOKEN_VERIFIER');
export const RATE_LIMITER = Symbol('RATE_LIMITER');

/**
 * Every endpoint needs a verified bearer token unless it is `@Public()`; `@Access()` adds the
 * scopes and organization kinds it requires. A refusal is a problem response: 401 (with
 * `WWW-Authenticate`) for a missing or bad token, 403 for a valid token that may not do this.
 * An endpoint with neither decorator refuses everyone: access is never granted by omission.
 * Each verified organization is held to its request rate (429 with `Retry-After` beyond it).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    @Inject(RATE_LIMITER) private readonly limiter: OrgRateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ENDPOINT, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    try {
      const principal = await this.verifier.verify(request.headers.authorization);
      const rate = this.limiter.take(principal.org);
      if (!rate.allowed) {
        void reply.header('retry-after', String(rate.retryAfterSeconds));
        throw problem(429, `${principal.org} is over its request rate: retry in ${rate.retryAfterSeconds} s`, {
          code: PlatformErrorCode.RateLimited,
        });
      }
      const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, targets);
      if (!rule) throw new AuthError(AuthErrorCode.OrgNotAllowed, 'this endpoint is not open to any caller');
      if (!rule.orgKinds.includes(principal.orgKind)) {
        throw new AuthError(
          AuthErrorCode.OrgNotAllowed,
          `this endpoint serves ${rule.orgKinds.join(', ')} organizations, not ${principal.orgKind}`,
        );
      }
      const missing = rule.scopes.filter((scope) => !principal.scopes.has(scope));
      if (missing.length > 0)
        throw new AuthError(AuthErrorCode.ScopeMissing, `the token lacks the scope ${missing.join(', ')}`);
      attachCaller(request, principal);
      return true;
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      if (error.status === 401) void reply.header('www-authenticate', `Bearer error="invalid_token"`);
      throw problem(error.status, error.message, { code: error.code });
    }
  }
}
