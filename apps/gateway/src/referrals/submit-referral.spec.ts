import { HttpException } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Principal } from '@passerelle/auth';
import type { EventPublisher, TopicNames } from '@passerelle/messaging';
import { ODSP_EMPLOYMENT_RECORDS, OW_CASE_RECORDS } from '../ingest/source-definition';
import { referralRecord, SubmitOdspReferral, SubmitReferral } from './submit-referral';

const FIXTURES = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'sources');
const fixture = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as Record<string, unknown>;
const odspReferral = () => fixture('odsp-employment-record/noah-tremblay-placements.json');
const owReferral = () => fixture('ow-case-record/eloise-cote-tremblay-referral.json');

/** The problem a refused record gets: status, code (end of its type URI), field errors. */
function refusal(work: () => unknown): { status: number; type?: unknown; errors?: unknown } {
  try {
    work();
  } catch (error) {
    if (!(error instanceof HttpException)) throw error;
    const body = error.getResponse() as { type?: unknown; errors?: unknown };
    return { status: error.getStatus(), type: body.type, errors: body.errors };
  }
  return { status: 202 };
}

const caller = (org: string): Principal => ({
  org,
  orgKind: org.split(':')[0] as Principal['orgKind'],
  scopes: new Set(['referrals:write']),
  subject: 'caseworker-1',
});

function recordingPublisher() {
  const sent: Array<{ topic: string; headers: unknown }> = [];
  const publisher = {
    send: (topic: string, messages: Array<{ headers?: unknown }>) => {
      sent.push(...messages.map((m) => ({ topic, headers: m.headers })));
      return Promise.resolve();
    },
  } as unknown as EventPublisher;
  const topics = { of: (name: string) => `t.${name}` } as unknown as TopicNames;
  return { publisher, topics, sent };
}

describe('referralRecord: a referrer record checked by its source definition', () => {
  it("takes an ODSP office's own employment record carrying a referral request", () => {
    const { owner, referralRequest } = referralRecord(ODSP_EMPLOYMENT_RECORDS, odspReferral(), 'odsp:central');
    expect(owner).toBe('central');
    expect(referralRequest.referralId).toBe('ODSP-REF-2025-8810');
  });

  it("refuses another office's record (403 other-odsp-office, naming office.code)", () => {
    expect(refusal(() => referralRecord(ODSP_EMPLOYMENT_RECORDS, odspReferral(), 'odsp:east'))).toEqual({
      status: 403,
      type: '/v1/problems/other-odsp-office',
      errors: [{ pointer: '/office/code', code: 'other-office', message: 'is not east' }],
    });
  });

  it('refuses an ODSP record without its referral request, naming the field (400)', () => {
    const { referralRequest: _r, ...plain } = odspReferral();
    expect(refusal(() => referralRecord(ODSP_EMPLOYMENT_RECORDS, plain, 'odsp:central'))).toEqual({
      status: 400,
      type: '/v1/problems/invalid-body',
      errors: [{ pointer: '/referralRequest', code: 'required', message: 'is required' }],
    });
  });

  it('refuses over HTTP what the raw topic takes unbounded (the referral body bounds its lists)', () => {
    const record = odspReferral();
    const activity = (record.activities as unknown[])[0];
    record.activities = Array.from({ length: 501 }, () => activity);
    expect(refusal(() => referralRecord(ODSP_EMPLOYMENT_RECORDS, record, 'odsp:central'))).toMatchObject({
      status: 400,
      errors: [expect.objectContaining({ pointer: '/activities', code: 'maxItems' })],
    });
  });

  it('refuses an OW case record where an ODSP employment record is due', () => {
    expect(refusal(() => referralRecord(ODSP_EMPLOYMENT_RECORDS, owReferral(), 'odsp:central'))).toMatchObject({
      status: 400,
      type: '/v1/problems/invalid-body',
    });
  });

  it("keeps the OW rules: another delivery agent's record is 403 other-delivery-agent", () => {
    expect(refusal(() => referralRecord(OW_CASE_RECORDS, owReferral(), 'ow:toronto'))).toMatchObject({
      status: 403,
      type: '/v1/problems/other-delivery-agent',
      errors: [{ pointer: '/deliveryAgent/code', code: 'other-delivery-agent' }],
    });
  });
});

describe('SubmitOdspReferral and SubmitReferral', () => {
  it('produces the ODSP record to odsp.employment-records.v1 and answers the pending referral, its submission and audit', async () => {
    const { publisher, topics, sent } = recordingPublisher();
    const answer = await new SubmitOdspReferral(publisher, topics).execute(caller('odsp:central'), odspReferral());
    expect(sent).toEqual([
      {
        topic: 't.odsp.employment-records.v1',
        headers: expect.objectContaining({ ce_type: 'ca.on.passerelle.odsp-employment-record.received' }),
      },
    ]);
    expect(answer.body).toMatchObject({
      sourceReferralId: 'ODSP-REF-2025-8810',
      referrer: 'odsp:central',
      status: 'requested',
    });
    expect(answer.extras.effects?.referralSubmissions).toEqual([
      expect.objectContaining({ referrer: 'odsp:central', source_referral_id: 'ODSP-REF-2025-8810' }),
    ]);
    expect(answer.extras.effects?.audit).toEqual([expect.objectContaining({ org: 'odsp:central', action: 'write' })]);
  });

  it('gives an ODSP referral another canonical id than an OW one with the same source ids (system and office count)', async () => {
    const { publisher, topics } = recordingPublisher();
    const odsp = await new SubmitOdspReferral(publisher, topics).execute(caller('odsp:central'), odspReferral());
    const ow = await new SubmitReferral(publisher, topics).execute(caller('ow:greater-sudbury'), owReferral());
    expect(odsp.body.referralId).not.toBe(ow.body.referralId);
    expect(odsp.body.links.self).toBe(`/v1/referrals/${odsp.body.referralId}`);
  });
});
