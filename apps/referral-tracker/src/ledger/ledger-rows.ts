import type { AlertNotification, Referral } from '@passerelle/contracts';
import type { LoadedScope } from './ledger-keys';

/**
 * The tracker's ledger rows as a batch reads them: what the use cases get back (history, consents,
 * report facts, supports, parked events) and the rows the SQL edge loads (dates and times as
 * PostgreSQL returns them, plus microseconds for ordering).
 */

/** One status change as the history keeps it. */
export interface HistoryEntry {
  referralId: string;
  fromStatus: Referral['status'] | null;
  toStatus: Referral['status'];
  businessStatus: Referral['businessStatus'];
  actor: 'referrer' | 'provider' | 'system';
  actorOrg: string;
  reason?: Referral['statusReason'] | { code: string; text: string };
  eventId: string;
  occurredAt: string;
}

export interface StoredConsent {
  consentId: string;
  clientId: string;
  purpose: string;
  recipients: string[];
  grantedAt: Date;
  expiresOn: Date | null;
  withdrawnAt: Date | null;
}

/** What the ministry report needs of a referral, de-identified facts included. */
export interface ReferralFacts {
  referralId: string;
  clientId: string;
  referrer: string;
  provider: string | null;
  status: string;
  requestedAt: Date;
  acceptedAt: Date | null;
  catchment: string | null;
  providerType: string | null;
  ageBand: string | null;
  stream: string | null;
  snapshot: unknown;
}

export interface SupportRow {
  benefitId: string;
  clientId: string;
  network: string;
  issuedBy: string;
  benefitType: string;
  periodStart: string;
  periodEnd: string | null;
  referralId: string | null;
}

/** An alert for a referrer's caseworker (`referral_alert`): ids and codes only, no personal data. */
export interface AlertRow {
  alertId: string;
  kind: AlertNotification['change'];
  recipient: string;
  referralId: string | null;
  clientId: string;
  occurredAt: string;
  details: AlertNotification['details'];
}

/** What caused a parked event (its inbound event), kept with it. */
export interface ParkedCause {
  eventId: string;
  correlationId?: string;
  occurredAt: string;
}

export interface ParkedEvent {
  type: string;
  data: unknown;
  cause: ParkedCause;
}

export interface ReferralFactsChange {
  catchment?: string;
  providerType?: string;
  ageBand?: string;
  region?: string;
  stream?: string;
  acceptedAt?: string;
}

/**
 * How the SQL edge reads a `date` column back (the driver's parser): a batch answers with the
 * same value for the rows it created as for those it loaded.
 */
export type DateColumnReader = (text: string) => Date;

/** What was loaded: the keys asked for (lower case) and the rows found. */
export interface LoadedLedger {
  scope: LoadedScope;
  referrals: LoadedReferral[];
  parked: LoadedParkedEvent[];
  consents: LoadedConsent[];
  spells: LoadedSpell[];
  outcomes: LoadedOutcome[];
  supports: SupportRow[];
}

export interface LoadedReferral {
  referralId: string;
  clientId: string;
  referrer: string;
  provider: string | null;
  status: string;
  consentId: string;
  requestedAt: Date;
  /** `requested_at` in microseconds since the epoch (PostgreSQL's precision, for ordering). */
  requestedAtUs: number;
  snapshot: Referral;
  ageBand: string | null;
  region: string | null;
  catchment: string | null;
  providerType: string | null;
  stream: string | null;
  acceptedAt: Date | null;
}

export interface LoadedParkedEvent extends ParkedEvent {
  id: string;
  referralId: string;
  eventTime: Date;
}

export interface LoadedConsent {
  consentId: string;
  clientId: string;
  purpose: string;
  recipients: string[];
  grantedAt: Date;
  /** `expires_on` as PostgreSQL writes a date (YYYY-MM-DD). */
  expiresOn: string | null;
  withdrawnAt: Date | null;
}

export interface LoadedSpell {
  employmentSpellId: string;
  clientId: string;
  referralId: string | null;
  reportedBy: string;
  /** YYYY-MM-DD */
  startDate: string;
  eventTimeUs: number;
}

export interface LoadedOutcome {
  clientId: string;
  outcomeType: string;
  employmentSpellId: string;
  eventTimeUs: number;
}
