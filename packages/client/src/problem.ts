import type { components } from '@passerelle/contracts';

/** An RFC 9457 problem document as the gateway sends it (`application/problem+json`). */
export type Problem = components['schemas']['problem'];
/** One invalid field of a refused request: JSON pointer, machine-readable code, message. */
export type ProblemFieldError = NonNullable<Problem['errors']>[number];

/**
 * What the client throws for every answer outside 2xx: the problem document's members, typed,
 * plus the response. An answer that is not problem+json (a proxy's HTML 502, say) still becomes
 * one, `about:blank` with the HTTP status, so callers handle a single error type.
 */
export class PasserelleProblem extends Error implements Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly errors?: ProblemFieldError[];
  /** `Retry-After` in seconds (429, 503), when the gateway said when to come back. */
  readonly retryAfterSeconds?: number;

  constructor(
    readonly problem: Problem,
    readonly response?: Response,
  ) {
    super(problem.detail ?? problem.title);
    this.name = 'PasserelleProblem';
    this.type = problem.type;
    this.title = problem.title;
    this.status = problem.status;
    if (problem.detail !== undefined) this.detail = problem.detail;
    if (problem.instance !== undefined) this.instance = problem.instance;
    if (problem.errors !== undefined) this.errors = problem.errors;
    const retryAfter = Number(response?.headers.get('retry-after') ?? Number.NaN);
    if (Number.isFinite(retryAfter)) this.retryAfterSeconds = retryAfter;
  }

  /** The problem a non-2xx response carries; reads (consumes) the response body. */
  static async fromResponse(response: Response): Promise<PasserelleProblem> {
    const text = await response.text();
    const isProblem = /^application\/(problem\+)?json\b/i.test(response.headers.get('content-type') ?? '');
    const parsed = isProblem ? parseProblem(text) : undefined;
    return new PasserelleProblem(
      parsed ?? {
        type: 'about:blank',
        title: response.statusText || `HTTP ${response.status}`,
        status: response.status,
        ...(text !== '' && { detail: text.slice(0, 500) }),
      },
      response,
    );
  }
}

function parseProblem(text: string): Problem | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { type, title, status } = value as Partial<Record<string, unknown>>;
    if (typeof title !== 'string' || typeof status !== 'number') return undefined;
    // `type` may be omitted: RFC 9457 says it then means about:blank.
    return { ...(value as Problem), type: typeof type === 'string' ? type : 'about:blank' };
  } catch {
    return undefined;
  }
}
