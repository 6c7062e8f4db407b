/** Why a consent withdrawal was refused (problem codes). */
export enum ConsentErrorCode {
  NotFound = 'CONSENT_NOT_FOUND',
  AlreadyWithdrawn = 'CONSENT_ALREADY_WITHDRAWN',
}
