export enum PersonalDataErrorCode {
  /** Sealed for another client than the one the record is about. */
  OtherClient = 'PERSONAL_DATA_OTHER_CLIENT',
  /** No data key was ever created for the client, so nothing sealed for it can open. */
  NoKey = 'PERSONAL_DATA_NO_KEY',
  /** The ciphertext was altered, truncated, or the data key is not the one that sealed it. */
  CannotOpen = 'PERSONAL_DATA_CANNOT_OPEN',
  /** A data key is wrapped by a master key that is not configured (current or previous). */
  MasterKeyMissing = 'PERSONAL_DATA_MASTER_KEY_MISSING',
}

export class PersonalDataError extends Error {
  constructor(
    readonly code: PersonalDataErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PersonalDataError';
  }
}
