import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { preferredLanguage, type Language } from './problem-language';

/** The language the request prefers (`Accept-Language`): `@PreferredLanguage() language: Language`. */
export const PreferredLanguage = createParamDecorator((_data: unknown, context: ExecutionContext): Language =>
  preferredLanguage(context.switchToHttp().getRequest<FastifyRequest>().headers['accept-language']),
);
