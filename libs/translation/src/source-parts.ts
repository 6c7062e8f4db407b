import { mapSourceCode, type CodeTableName, type SourceSystem } from '@passerelle/codes';
import type { BenefitIssued, EmploymentSpell, EoServiceRecord } from '@passerelle/contracts';

/**
 * The source-record parts every network shares (`schemas/sources/employment.json`,
 * `source-benefit-issued.json`), mapped once for every adapter. Pure.
 */

/** A job as any source record carries it (one shared schema part). */
export type SourceEmployment = NonNullable<EoServiceRecord['employments']>[number];
/** A support issued as any source record carries it (one shared schema part). */
export type SourceBenefit = NonNullable<EoServiceRecord['benefitsIssued']>[number];

/** Maps the source codes of one record; collects a reason (field and code) for every code with no mapping. */
export class SourceCodeMapper {
  readonly reasons: string[] = [];
  constructor(private readonly system: SourceSystem) {}

  // The canonical code's type is taken from where the result goes (the code tables' specs check the values).
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- inferred from the target field
  map<T extends string>(table: CodeTableName, pointer: string, code: string): T {
    const mapped = mapSourceCode(table, this.system, code);
    if (mapped.ok) return mapped.code as T;
    this.reasons.push(`${pointer}: ${mapped.reason}`);
    return code as T;
  }
}

/** The canonical employment details of a source job; `pointer` is the job's place in the record. */
export function canonicalEmployment(
  codes: SourceCodeMapper,
  pointer: string,
  job: SourceEmployment,
): EmploymentSpell['employment'] {
  return {
    employerName: job.employerName,
    ...(job.jobTitle !== undefined && { jobTitle: job.jobTitle }),
    // The schema's `default: false` makes the generated type required, but Ajv does not fill defaults here.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- absent in records that omit it
    selfEmployed: job.selfEmployed ?? false,
    startDate: job.jobStartDate,
    ...(job.jobEndDate !== undefined && { endDate: job.jobEndDate }),
    hoursPerWeek: job.hoursPerWeek,
    ...(job.hourlyWage !== undefined && { hourlyWage: job.hourlyWage }),
    subsidized: job.subsidized,
    ...(job.evidenceTypeCode !== undefined && {
      evidenceType: codes.map('evidence-types', `${pointer}/evidenceTypeCode`, job.evidenceTypeCode),
    }),
    ...(job.evidenceReceivedOn !== undefined && { evidenceReceivedOn: job.evidenceReceivedOn }),
  };
}

/** The canonical `benefit.issued` data of the support at `/benefitsIssued/<index>`, under ids and issuer the adapter derives. */
export function canonicalBenefit(
  codes: SourceCodeMapper,
  index: number,
  benefit: SourceBenefit,
  context: Pick<BenefitIssued, 'benefitId' | 'clientId' | 'referralId' | 'program' | 'source' | 'issuedBy'>,
): BenefitIssued {
  return {
    ...context,
    benefitType: codes.map('benefit-types', `/benefitsIssued/${index}/benefitTypeCode`, benefit.benefitTypeCode),
    amount: benefit.amount,
    issuedOn: benefit.issuedOn,
    periodStart: benefit.periodStart,
    ...(benefit.periodEnd !== undefined && { periodEnd: benefit.periodEnd }),
  };
}
