import { HttpException, HttpStatus } from '@nestjs/common';
import type { FieldError } from '@passerelle/contracts';

const PROBLEM_TYPES = 'https://schemas.passerelle.ontario.ca/problems/';

/** `NOT_FOUND` -> `Not found`: the status' standard phrase, the English title of its problems. */
export function statusTitle(status: number): string {
  const name = HttpStatus[status] as string | undefined;
  if (!name) return status >= 500 ? 'Server error' : 'Client error';
  const phrase = name.replace(/_/g, ' ').toLowerCase();
  return phrase.charAt(0).toUpperCase() + phrase.slice(1);
}

/**
 * A problem response (RFC 9457) as an exception the ProblemFilter sends: the title follows from
 * the status; `code` (a module's error code, `SCOPE_MISSING`) names its type.
 */
export function problem(
  status: number,
  detail: string,
  options: { errors?: FieldError[] | undefined; code?: string } = {},
): HttpException {
  const { errors, code } = options;
  return new HttpException(
    {
      type: code === undefined ? 'about:blank' : `${PROBLEM_TYPES}${code.toLowerCase().replace(/_/g, '-')}`,
      title: statusTitle(status),
      status,
      detail,
      ...(errors !== undefined && errors.length > 0 && { errors }),
    },
    status,
  );
}
