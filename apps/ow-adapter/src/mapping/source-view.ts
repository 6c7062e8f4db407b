/**
 * One OW or ODSP record read into the parts both source schemas share (`SourceView`), and the
 * collector of one record's events with the source references and occurrence ids they share
 * (`OwRecordEvents`). Pure: no clock, no randomness, no I/O.
 */
import type { Client, EmploymentSpell, MappingContext, OwCaseRecord, ServiceEvent } from '@passerelle/contracts';
import { RecordEvents, occurrenceEntityId, type EntryIssuer } from '@passerelle/translation';

export type SourcePersonal = Pick<
  OwCaseRecord['personal'],
  'memberId' | 'name' | 'birthDate' | 'preferredLanguage' | 'contact'
>;
export type SourcePlan = NonNullable<OwCaseRecord['participationPlan']>;
export type SourceActivity = NonNullable<OwCaseRecord['activities']>[number];
export type SourceDeferral = NonNullable<OwCaseRecord['deferrals']>[number];
export type SourceBenefit = NonNullable<OwCaseRecord['benefitsIssued']>[number];
export type SourceConsent = NonNullable<OwCaseRecord['consents']>[number];
export type SourceReferralRequest = NonNullable<OwCaseRecord['referralRequest']>;
export type SourceOutcome = NonNullable<OwCaseRecord['outcomes']>[number];
export type SourceEmployment = NonNullable<SourceOutcome['employment']>;
export type SourceExit = NonNullable<OwCaseRecord['exit']>;

/** One OW or ODSP record, read into the parts both share; pointers are JSON pointers into the record. */
export interface SourceView {
  /** `$id` of the record's source schema (for `unmappedSourceCodes`). */
  readonly schemaId: string;
  /** The record itself, as validated against `schemaId`. */
  readonly record: unknown;
  /** Source system and organization code (delivery agent, ODSP office). */
  readonly issuer: EntryIssuer;
  /** Organization id of the issuer (`ow:toronto`, `odsp:central`): referrer, grantor, deliverer, reporter. */
  readonly org: `ow:${string}` | `odsp:${string}`;
  /** `ce_source` of every event (`/ow/sams/<agent>`, `/odsp/<office>`). */
  readonly ceSource: string;
  readonly recordId: string;
  readonly recordVersion: number;
  readonly recordedAt: string;
  readonly programCode: string;
  readonly personal: SourcePersonal;
  readonly plan?: { readonly value: SourcePlan; readonly pointer: string };
  readonly activities: readonly SourceActivity[];
  readonly deferrals: readonly SourceDeferral[];
  readonly benefits: readonly SourceBenefit[];
  readonly consents: readonly SourceConsent[];
  readonly referralRequest?: SourceReferralRequest;
  readonly outcomes: { readonly values: readonly SourceOutcome[]; readonly pointer: '/outcomes' | '/milestones' };
  readonly exit?: SourceExit;
}

export type Program = Client['program'];
export type SourceRef = ServiceEvent['source'];
export type EmploymentDetails = EmploymentSpell['employment'];
export type Common = Pick<ServiceEvent, 'clientId' | 'program'>;

/** The events of one record, with the entity ids they share. */
export class OwRecordEvents extends RecordEvents {
  constructor(
    readonly view: SourceView,
    context: MappingContext,
  ) {
    super(
      {
        sourceSystem: `${view.issuer.system}:${view.issuer.orgCode}`,
        recordId: view.recordId,
        version: view.recordVersion,
        source: view.ceSource,
        time: view.recordedAt,
      },
      context,
    );
  }

  source(entryId?: string): SourceRef {
    const { issuer, recordId, recordVersion } = this.view;
    return entryId === undefined
      ? { system: issuer.system, recordId, recordVersion }
      : { system: issuer.system, recordId, recordVersion, entryId };
  }

  occurrenceId(kind: string, entryId: string): string {
    const { issuer, recordId, recordVersion } = this.view;
    return occurrenceEntityId(issuer, recordId, recordVersion, kind, entryId);
  }
}
