/** Why a caller was refused; each code is the problem `code` of the 401 or 403 it gets. */
export enum AuthErrorCode {
  /** No `Authorization: Bearer <token>` header. */
  TokenMissing = 'TOKEN_MISSING',
  /** Signature, algorithm, issuer, audience or claims do not check out. */
  TokenInvalid = 'TOKEN_INVALID',
  TokenExpired = 'TOKEN_EXPIRED',
  /** A valid token without a scope the endpoint needs. */
  ScopeMissing = 'SCOPE_MISSING',
  /** A valid token of an organization kind the endpoint does not serve (e.g. a provider on a referrer endpoint). */
  OrgNotAllowed = 'ORG_NOT_ALLOWED',
}

const STATUS: Record<AuthErrorCode, 401 | 403> = {
  [AuthErrorCode.TokenMissing]: 401,
  [AuthErrorCode.TokenInvalid]: 401,
  [AuthErrorCode.TokenExpired]: 401,
  [AuthErrorCode.ScopeMissing]: 403,
  [AuthErrorCode.OrgNotAllowed]: 403,
};

/** A refused caller. The message never repeats the token. */
export class AuthError extends Error {
  readonly status: 401 | 403;
  constructor(
    readonly code: AuthErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
    this.status = STATUS[code];
  }
}
