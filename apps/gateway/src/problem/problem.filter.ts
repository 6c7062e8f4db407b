import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Problem } from '@passerelle/contracts';
import { unavailableDependency, type UnavailableDependency } from '@passerelle/messaging';
import { problem as problemException, statusTitle } from './problem';
import { preferredLanguage, ProblemTranslator, type Language } from './problem-language';
import { PlatformErrorCode } from '../platform/platform.error';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** What a client is told to wait before retrying while PostgreSQL or Kafka is down (`Retry-After`). */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

const DEPENDENCY_NAMES: Record<UnavailableDependency, string> = { database: 'the database', kafka: 'Kafka' };

/**
 * Every error leaves the gateway as RFC 9457 problem details, in French when the request prefers
 * it (`Accept-Language`). A failure that says PostgreSQL or Kafka is unavailable (one mapping,
 * `unavailableDependency`) is a `503` with `Retry-After`, wherever it was raised: the client may
 * retry, with the same Idempotency-Key for a POST. Other unexpected errors become a bare 500
 * whose body says nothing of the cause (it is logged instead).
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemFilter.name);
  private readonly translator = new ProblemTranslator();

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const dependency = unavailableDependency(exception);
    const instance = request.url.split('?')[0];
    const problem =
      dependency === undefined
        ? this.toProblem(exception, instance)
        : this.toProblem(unavailable(dependency, request.headers['idempotency-key'] !== undefined), instance);
    if (dependency !== undefined) {
      this.logger.warn(`${request.method} ${instance}: ${dependency} unavailable: ${(exception as Error).message}`);
      void reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    } else if (problem.status >= 500) {
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    }
    const language = preferredLanguage(request.headers['accept-language']);
    void reply
      .status(problem.status)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .header('content-language', language)
      .header('vary', 'Accept-Language')
      .send(this.inLanguage(problem, language));
  }

  private inLanguage(problem: Problem & { status: number }, language: Language): Problem & { status: number } {
    if (language === 'en') return problem;
    const say = (text: string): string => this.translator.text(text, language) ?? text;
    return {
      ...problem,
      title: this.translator.title(problem.status, language, problem.title),
      ...(problem.detail !== undefined && { detail: say(problem.detail) }),
      ...(problem.errors !== undefined && { errors: problem.errors.map((e) => ({ ...e, message: say(e.message) })) }),
    };
  }

  private toProblem(exception: unknown, instance: string): Problem & { status: number } {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && 'type' in body && 'title' in body) {
        return { ...(body as Problem), status, instance };
      }
      const detail = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      return {
        type: `about:blank`,
        title: statusTitle(status),
        status,
        detail: Array.isArray(detail) ? detail.join('; ') : typeof detail === 'string' ? detail : exception.message,
        instance,
      };
    }
    // Fastify's own errors (body too large, bad JSON, wrong media type) carry a statusCode.
    const statusCode = (exception as { statusCode?: unknown }).statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      return {
        type: 'about:blank',
        title: statusTitle(statusCode),
        status: statusCode,
        detail: (exception as Error).message,
        instance,
      };
    }
    return { type: 'about:blank', title: 'Internal server error', status: 500, instance };
  }
}

/** The 503 for a request that met `dependency` down (its cause is logged, not told). */
function unavailable(dependency: UnavailableDependency, idempotent: boolean): HttpException {
  const retry = `retry in ${UNAVAILABLE_RETRY_AFTER_SECONDS} s${idempotent ? ' with the same Idempotency-Key' : ''}`;
  return problemException(503, `${DEPENDENCY_NAMES[dependency]} is unavailable right now; ${retry}`, {
    code: PlatformErrorCode.DependencyUnavailable,
  });
}
