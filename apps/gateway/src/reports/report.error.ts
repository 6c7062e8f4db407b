import type { FieldError } from '@passerelle/contracts';

export enum ReportErrorCode {
  /** `from` / `to` not a calendar date, or `from` after `to`. */
  InvalidPeriod = 'INVALID_PERIOD',
  /** `groupBy` names an unknown dimension, or one twice. */
  InvalidGrouping = 'INVALID_GROUPING',
  /** `format` is neither `json` nor `csv`. */
  InvalidFormat = 'INVALID_FORMAT',
  /** `Accept` allows neither JSON nor CSV. */
  NotAcceptable = 'NOT_ACCEPTABLE',
}

const STATUS: Record<ReportErrorCode, number> = {
  [ReportErrorCode.InvalidPeriod]: 400,
  [ReportErrorCode.InvalidGrouping]: 400,
  [ReportErrorCode.InvalidFormat]: 400,
  [ReportErrorCode.NotAcceptable]: 406,
};

/** A report request the gateway cannot answer; the controller turns it into a problem response. */
export class ReportError extends Error {
  readonly status: number;
  constructor(
    readonly code: ReportErrorCode,
    message: string,
    /** One per invalid query parameter, pointer `/<parameter>`. */
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ReportError';
    this.status = STATUS[code];
  }
}
