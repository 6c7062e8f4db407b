/**
 * The canonical events the OW adapter produces: `ce_type`, contract topic (asyncapi.yaml
 * address, no prefix) and `ce_dataschema`, read from the types generated from asyncapi.yaml (a
 * spec also checks this table against the document itself).
 */
import { CONTRACT_EVENTS, type ContractEventType, type ContractTopicName } from '@passerelle/contracts';

export interface EventKind {
  readonly type: ContractEventType;
  readonly topic: ContractTopicName;
  readonly dataschema: string;
}

const kind = (type: ContractEventType): EventKind => ({ type, ...CONTRACT_EVENTS[type] });

export const OW_EVENT_KINDS = {
  clientLinked: kind('ca.on.passerelle.client.linked'),
  clientUpdated: kind('ca.on.passerelle.client.updated'),
  consentGranted: kind('ca.on.passerelle.consent.granted'),
  consentWithdrawn: kind('ca.on.passerelle.consent.withdrawn'),
  referralSubmitted: kind('ca.on.passerelle.referral.submitted'),
  serviceEventRecorded: kind('ca.on.passerelle.service-event.recorded'),
  benefitIssued: kind('ca.on.passerelle.benefit.issued'),
  employmentStarted: kind('ca.on.passerelle.employment.started'),
  employmentUpdated: kind('ca.on.passerelle.employment.updated'),
  employmentEnded: kind('ca.on.passerelle.employment.ended'),
  outcomeRecorded: kind('ca.on.passerelle.outcome.recorded'),
} as const satisfies Record<string, EventKind>;
