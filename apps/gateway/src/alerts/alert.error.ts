/** Why an alert request was refused (problem codes). */
export enum AlertErrorCode {
  NotFound = 'ALERT_NOT_FOUND',
}
