/** Why a referral request was refused (problem codes; lifecycle refusals use `LifecycleRefusal`). */
export enum ReferralErrorCode {
  /** No such referral visible to the caller. */
  NotFound = 'REFERRAL_NOT_FOUND',
  /** Accepted (`202`) but not yet recorded by the tracker. */
  NotTrackedYet = 'REFERRAL_NOT_TRACKED_YET',
  /** A source code with no canonical mapping. */
  UnmappedSourceCode = 'UNMAPPED_SOURCE_CODE',
  /** A record of another delivery agent than the caller. */
  OtherDeliveryAgent = 'OTHER_DELIVERY_AGENT',
  /** A record of another ODSP office than the caller. */
  OtherOdspOffice = 'OTHER_ODSP_OFFICE',
}
