import { schemaIdForPath, schemaRegistry, type OutcomeMilestone } from '@passerelle/contracts';
import type { RecordedOutcome } from '../ledger/referral-timeline-read-model';
import { referralOutcome, referralOutcomes } from './referral-outcomes';

const REFERRAL_ID = '88553b41-1d3c-5313-8aad-07f436ff6f10';
const SPELL_ID = '6c1d2e3f-4a5b-5c6d-9e8f-7a6b5c4d3e2f';

const milestone: OutcomeMilestone = {
  outcomeId: '0f6a1e2d-4c3b-5a69-8e7d-1c2b3a4f5e6d',
  clientId: '7f9c2ba4-e88f-4c3a-b1a2-3d4e5f6a7b8c',
  referralId: REFERRAL_ID,
  program: 'OW',
  source: { system: 'cams', recordId: 'CAMS-1', recordVersion: 3 },
  employmentSpellId: SPELL_ID,
  reportedBy: 'eo:provider-7',
  outcomeType: 'ies-employed-3-months',
  achieved: true,
  observedOn: '2026-02-03',
  clientSituation: 'employed-full-time',
  monthlyEarnings: '2950.00',
  employment: {
    employerName: 'Boulangerie du Nord',
    selfEmployed: false,
    startDate: '2025-11-03',
    hoursPerWeek: 32,
    subsidized: false,
  },
};

const recorded = (snapshot: OutcomeMilestone): RecordedOutcome => ({
  outcomeId: snapshot.outcomeId,
  outcomeType: snapshot.outcomeType,
  achieved: snapshot.achieved,
  observedOn: snapshot.observedOn,
  reportedBy: snapshot.reportedBy,
  reportedAt: new Date('2026-02-04T14:45:00Z'),
  snapshot,
});

describe('referralOutcome', () => {
  it('gives the milestone with its codes labelled in the caller’s language', () => {
    expect(referralOutcome(recorded(milestone), 'fr')).toEqual({
      outcomeId: milestone.outcomeId,
      outcomeType: 'ies-employed-3-months',
      achieved: true,
      observedOn: '2026-02-03',
      program: 'OW',
      employmentSpellId: SPELL_ID,
      clientSituation: 'employed-full-time',
      reportedBy: 'eo:provider-7',
      reportedAt: '2026-02-04T14:45:00.000Z',
      labels: {
        outcomeType: 'En emploi 3 mois après l’entrée en fonction (SEI)',
        program: 'Ontario au travail',
        clientSituation: 'En emploi à temps plein',
      },
    });
    expect(referralOutcome(recorded(milestone), 'en').labels).toEqual({
      outcomeType: 'Employed 3 months after job start (IES)',
      program: 'Ontario Works',
      clientSituation: 'Employed full-time',
    });
  });

  it('leaves the job’s employer and earnings out, and absent codes unlabelled', () => {
    const { employmentSpellId: _spell, clientSituation: _situation, ...plain } = milestone;
    const outcome = referralOutcome(recorded({ ...plain, outcomeType: 'employment' }), 'en');
    expect(JSON.stringify(outcome)).not.toMatch(/Boulangerie|2950/);
    expect(outcome).not.toHaveProperty('employmentSpellId');
    expect(outcome.labels).toEqual({ outcomeType: 'Employment', program: 'Ontario Works' });
  });
});

describe('referralOutcomes', () => {
  it('matches the ReferralOutcomes schema, empty or not', () => {
    const schemaId = schemaIdForPath('api/referral-outcomes.json');
    for (const outcomes of [
      referralOutcomes(REFERRAL_ID, [], 'en'),
      referralOutcomes(REFERRAL_ID, [recorded(milestone)], 'fr'),
    ])
      expect(schemaRegistry().validate(schemaId, outcomes)).toEqual({ ok: true, value: outcomes });
  });
});
