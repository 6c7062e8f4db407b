/**
 * The canonical events the OW adapter produces: `ce_type`, contract topic (asyncapi.yaml
 * address, no prefix) and `ce_dataschema`, read from the types generated from asyncapi.yaml (a
 * spec also checks this table against the document itself).
 */
import { eventKind, type EventKind } from '@passerelle/translation';

export type { EventKind } from '@passerelle/translation';

export const OW_EVENT_KINDS = {
  clientLinked: eventKind('ca.on.passerelle.client.linked'),
  clientUpdated: eventKind('ca.on.passerelle.client.updated'),
  consentGranted: eventKind('ca.on.passerelle.consent.granted'),
  consentWithdrawn: eventKind('ca.on.passerelle.consent.withdrawn'),
  referralSubmitted: eventKind('ca.on.passerelle.referral.submitted'),
  serviceEventRecorded: eventKind('ca.on.passerelle.service-event.recorded'),
  benefitIssued: eventKind('ca.on.passerelle.benefit.issued'),
  employmentStarted: eventKind('ca.on.passerelle.employment.started'),
  employmentUpdated: eventKind('ca.on.passerelle.employment.updated'),
  employmentEnded: eventKind('ca.on.passerelle.employment.ended'),
  outcomeRecorded: eventKind('ca.on.passerelle.outcome.recorded'),
} as const satisfies Record<string, EventKind>;
