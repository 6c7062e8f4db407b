/** Problem codes of the gateway's cross-cutting parts (pipes, guard, filter), pages of the problem catalogue. */
export enum PlatformErrorCode {
  /** A body that does not match the operation's schema. */
  InvalidBody = 'INVALID_BODY',
  /** A query parameter (limit, cursor, filter) that is invalid. */
  InvalidQuery = 'INVALID_QUERY',
  /** The organization is over its request rate. */
  RateLimited = 'RATE_LIMITED',
  /** PostgreSQL or Kafka could not take the request (`503`). */
  DependencyUnavailable = 'DEPENDENCY_UNAVAILABLE',
}
