import { HttpException, HttpStatus } from '@nestjs/common';
import type { FieldError } from '@passerelle/contracts';

/** Where the gateway serves the page of each problem type (`GET /v1/problems/<slug>`). */
export const PROBLEM_TYPES_PATH = '/v1/problems/';

/** `SCOPE_MISSING` -> `scope-missing`: a problem code as it appears in its type URI. */
export function problemSlug(code: string): string {
  return code.toLowerCase().replace(/_/g, '-');
}

/** The type URI of a problem code: a page of the gateway's own catalogue, resolvable by the client. */
export function problemType(code: string): string {
  return `${PROBLEM_TYPES_PATH}${problemSlug(code)}`;
}

/** `NOT_FOUND` -> `Not found`: the status' standard phrase, the English title of its problems. */
export function statusTitle(status: number): string {
  const name = HttpStatus[status] as string | undefined;
  if (!name) return status >= 500 ? 'Server error' : 'Client error';
  const phrase = name.replace(/_/g, ' ').toLowerCase();
  return phrase.charAt(0).toUpperCase() + phrase.slice(1);
}

/**
 * A problem response (RFC 9457) as an exception the ProblemFilter sends. `code` (a module's
 * error code, `SCOPE_MISSING`) names its type, a page of `data/problem-catalogue.json`; the title
 * follows from the status.
 */
export function problem(
  status: number,
  detail: string,
  options: { code: string; errors?: FieldError[] | undefined },
): HttpException {
  const { errors, code } = options;
  return new HttpException(
    {
      type: problemType(code),
      title: statusTitle(status),
      status,
      detail,
      ...(errors !== undefined && errors.length > 0 && { errors }),
    },
    status,
  );
}
