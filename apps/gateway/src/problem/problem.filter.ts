import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Problem } from '@passerelle/contracts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * Every error leaves the gateway as RFC 9457 problem details. Unexpected errors become a bare
 * 500 whose body says nothing of the cause (it is logged instead).
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const problem = this.toProblem(exception, request.url.split('?')[0]);
    if (problem.status >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
  }

  private toProblem(exception: unknown, instance: string): Problem & { status: number } {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && 'type' in body && 'title' in body) {
        return { ...(body as Problem), status, instance };
      }
      const detail = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      return {
        type: `about:blank`,
        title: titleFor(status),
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
        title: titleFor(statusCode),
        status: statusCode,
        detail: (exception as Error).message,
        instance,
      };
    }
    return { type: 'about:blank', title: 'Internal server error', status: 500, instance };
  }
}

/** `NOT_FOUND` -> `Not found`: the status' standard phrase as the problem title. */
function titleFor(status: number): string {
  const name = HttpStatus[status] as string | undefined;
  if (!name) return status >= 500 ? 'Server error' : 'Client error';
  const phrase = name.replace(/_/g, ' ').toLowerCase();
  return phrase.charAt(0).toUpperCase() + phrase.slice(1);
}
