/** Why a provider's request was refused (problem codes; field-level codes are in `errors`). */
export enum ProviderErrorCode {
  /** A batch of service records with at least one invalid record: none was stored. */
  InvalidServiceRecords = 'INVALID_SERVICE_RECORDS',
}
