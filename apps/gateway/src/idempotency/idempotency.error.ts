/** Why a POST was refused by its `Idempotency-Key` handling (problem codes). */
export enum IdempotencyErrorCode {
  /** No usable `Idempotency-Key` header. */
  KeyMissing = 'IDEMPOTENCY_KEY_MISSING',
  /** The key was used with another request. */
  KeyReused = 'IDEMPOTENCY_KEY_REUSED',
  /** The first request with the key is still being answered. */
  InProgress = 'REQUEST_IN_PROGRESS',
}
