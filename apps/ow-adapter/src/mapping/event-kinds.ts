/**
 * The canonical events the OW adapter produces: `ce_type`, contract topic (asyncapi.yaml
 * address, no prefix) and `ce_dataschema`, exactly as asyncapi.yaml pins them (a spec checks
 * this table against the document, so a drift fails the build rather than the consumers).
 */
import { schemaIdForPath } from '@passerelle/contracts';

export interface EventKind {
  readonly type: string;
  readonly topic: string;
  readonly dataschema: string;
}

const kind = (type: string, topic: string, schema: string): EventKind => ({
  type: `ca.on.passerelle.${type}`,
  topic,
  dataschema: schemaIdForPath(`canonical/${schema}.json`),
});

export const OW_EVENT_KINDS = {
  clientLinked: kind('client.linked', 'clients.v1', 'client'),
  clientUpdated: kind('client.updated', 'clients.v1', 'client'),
  consentGranted: kind('consent.granted', 'referrals.v1', 'consent'),
  consentWithdrawn: kind('consent.withdrawn', 'referrals.v1', 'consent'),
  referralSubmitted: kind('referral.submitted', 'referrals.v1', 'referral'),
  serviceEventRecorded: kind('service-event.recorded', 'service-events.v1', 'service-event'),
  benefitIssued: kind('benefit.issued', 'service-events.v1', 'benefit-issued'),
  employmentStarted: kind('employment.started', 'outcomes.v1', 'employment-spell'),
  employmentUpdated: kind('employment.updated', 'outcomes.v1', 'employment-spell'),
  employmentEnded: kind('employment.ended', 'outcomes.v1', 'employment-spell'),
  outcomeRecorded: kind('outcome.recorded', 'outcomes.v1', 'outcome-milestone'),
} as const satisfies Record<string, EventKind>;
