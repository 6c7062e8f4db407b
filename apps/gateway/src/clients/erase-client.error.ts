/** Why a client erasure was refused (problem codes). */
export enum ErasureErrorCode {
  /** No referral of the caller's organization is about this client. */
  ClientNotFound = 'ERASURE_CLIENT_NOT_FOUND',
}
