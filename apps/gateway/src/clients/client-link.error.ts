/** Why a link-conflict request was refused (problem codes). */
export enum ClientLinkErrorCode {
  ConflictNotFound = 'LINK_CONFLICT_NOT_FOUND',
  AlreadyResolved = 'LINK_CONFLICT_ALREADY_RESOLVED',
  ClientNotCandidate = 'LINK_CONFLICT_CLIENT_NOT_CANDIDATE',
}
