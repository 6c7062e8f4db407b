import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintDevToken } from '@passerelle/auth';
import type { OdspEmploymentRecord } from '@passerelle/contracts';
import { owAdapterApp } from '../../apps/ow-adapter/src/ow-adapter.app';
import { referralTrackerApp } from '../../apps/referral-tracker/src/referral-tracker.app';
import { readFixture, taggedReferral } from '../support/client-path';
import { useGatewayStack } from '../support/gateway-stack';
import { testKafka, waitFor } from '../support/kafka';
import { runTool } from '../support/run-tool';

const SOURCES = join(__dirname, '..', 'fixtures', 'sources');

type Result = {
  line?: number;
  status?: string;
  errors?: { pointer: string; code: string; message: string }[];
  summary?: Record<string, number>;
};
const ndjson = (text: string): Result[] =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Result);

/**
 * ODSP offices over HTTP: `POST /v1/odsp/referrals` and `POST /v1/odsp/employment-records:batch`,
 * through the real ow-adapter and tracker, read back with the referrers' endpoints.
 */
describe('ODSP offices over HTTP: referrals and bulk sync of employment records', () => {
  const stack = useGatewayStack('t_odsp', [owAdapterApp, referralTrackerApp]);
  const { config, prefix } = stack;
  const http = stack.http;
  let central: string;

  beforeAll(async () => {
    central = await mintDevToken(
      { org: 'odsp:central', scopes: ['referrals:write', 'referrals:read', 'case-records:write'] },
      config,
    );
  });

  /** Noah Tremblay's record (office `central`), under ids of its own per test. */
  const referralRecord = (tag: string): OdspEmploymentRecord =>
    taggedReferral('odsp-employment-record/noah-tremblay-placements.json', tag);
  const submit = (body: unknown, key: string | undefined, token = central) => {
    const req = http().post('/v1/odsp/referrals').set('authorization', `Bearer ${token}`);
    return key === undefined ? req.send(body as object) : req.set('idempotency-key', key).send(body as object);
  };
  const rawRecords = async (): Promise<number> => {
    const admin = testKafka().admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(`${prefix}odsp.employment-records.v1`);
    await admin.disconnect();
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  };

  it('takes a referral of its own client (202), which the adapter maps and the tracker routes; the office polls it to routed', async () => {
    const res = await submit(referralRecord('a'), 'odsp-a').expect(202);
    expect(res.body).toMatchObject({
      status: 'requested',
      businessStatus: 'created',
      referrer: 'odsp:central',
      sourceReferralId: 'ODSP-REF-2025-8810-a',
    });
    expect(res.headers.location).toBe(`/v1/referrals/${res.body.referralId}`);
    const again = await submit(referralRecord('a'), 'odsp-a').expect(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(res.body);

    const routed = await waitFor(
      async () => {
        const r = await http().get(res.headers.location).set('authorization', `Bearer ${central}`);
        return r.body.businessStatus === 'routed' ? r.body : undefined;
      },
      60_000,
      'the ODSP referral routed',
    );
    expect(routed).toMatchObject({ referralId: res.body.referralId, referrer: 'odsp:central', status: 'requested' });
    expect(routed.provider).toMatch(/^eo:/);
    expect(JSON.stringify(routed)).not.toContain('Tremblay');
    const french = await http()
      .get(res.headers.location)
      .set('authorization', `Bearer ${central}`)
      .set('accept-language', 'fr')
      .expect(200);
    expect(french.body.labels.businessStatus).not.toBe(
      (await http().get(res.headers.location).set('authorization', `Bearer ${central}`)).body.labels.businessStatus,
    );
    // Another office sees nothing of it.
    const east = await mintDevToken({ org: 'odsp:east', scopes: ['referrals:read'] }, config);
    await http().get(res.headers.location).set('authorization', `Bearer ${east}`).expect(404);
    const audit = await stack.database.db
      .selectFrom('audit_log')
      .select(['org', 'action'])
      .where('resource', '=', `referral/${res.body.referralId}`)
      .where('action', '=', 'write')
      .execute();
    expect(audit).toEqual([{ org: 'odsp:central', action: 'write' }]);
  }, 120_000);

  it("refuses another office's client (403), an invalid body naming the field (400), a request without Idempotency-Key (400), and stores nothing", async () => {
    const before = await rawRecords();
    const east = await mintDevToken({ org: 'odsp:east', scopes: ['referrals:write'] }, config);
    const other = await submit(referralRecord('b'), 'odsp-b', east).expect(403);
    expect(other.headers['content-type']).toContain('application/problem+json');
    expect(other.body).toMatchObject({
      type: '/v1/problems/other-odsp-office',
      errors: [{ pointer: '/office/code', code: 'other-office' }],
    });

    const noBirthDate = referralRecord('c');
    delete (noBirthDate.personal as { birthDate?: string }).birthDate;
    const bad = await submit(noBirthDate, 'odsp-c').set('accept-language', 'fr').expect(400);
    expect(bad.body.detail).toBe("le dossier d'emploi ne respecte pas api/odsp-referral-submission.json");
    expect(bad.body.errors).toContainEqual(
      expect.objectContaining({ pointer: '/personal/birthDate', code: 'required', message: 'est obligatoire' }),
    );
    const noRequest = referralRecord('d');
    delete noRequest.referralRequest;
    expect((await submit(noRequest, 'odsp-d').expect(400)).body.errors).toEqual([
      expect.objectContaining({ pointer: '/referralRequest', code: 'required' }),
    ]);
    const unknownCode = referralRecord('e');
    unknownCode.referralRequest!.serviceWantedCode = 'ZZZ';
    expect((await submit(unknownCode, 'odsp-e').expect(400)).body.errors[0]).toMatchObject({
      pointer: '/referralRequest/serviceWantedCode',
      code: 'unmapped-code',
    });
    expect((await submit(referralRecord('f'), undefined).expect(400)).body.errors[0].code).toBe('idempotency-key');
    // An OW delivery agent cannot use the ODSP endpoint, nor an ODSP office the OW one.
    const ow = await mintDevToken({ org: 'ow:toronto', scopes: ['referrals:write'] }, config);
    await submit(referralRecord('g'), 'odsp-g', ow).expect(403);
    await http()
      .post('/v1/referrals')
      .set('authorization', `Bearer ${central}`)
      .set('idempotency-key', 'odsp-h')
      .send(referralRecord('h'))
      .expect(403);
    expect(await rawRecords()).toBe(before);
  }, 60_000);

  it('bulk-syncs an NDJSON export and answers per line; a line carrying a referral request becomes a referral of the office', async () => {
    const lines = readFileSync(join(SOURCES, 'odsp-employment-record.ndjson'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as OdspEmploymentRecord);
    const ours = lines.find((r) => r.office.code === 'central')!;
    const theirs = lines.find((r) => r.office.code !== 'central')!;
    const tagged = {
      ...ours,
      sourceRecordId: `${ours.sourceRecordId}-bulk`,
      referralRequest: { ...ours.referralRequest!, referralId: `${ours.referralRequest!.referralId}-bulk` },
    };
    const minimal = readFixture('odsp-employment-record/zoe-lachance-ouellet-minimal.json');
    const noBirthDate = { ...minimal, personal: { ...minimal.personal, birthDate: undefined } };
    const before = await rawRecords();
    const body = [tagged, minimal, theirs, noBirthDate].map((r) => JSON.stringify(r)).join('\n');
    const res = await http()
      .post('/v1/odsp/employment-records:batch')
      .set('authorization', `Bearer ${central}`)
      .set('content-type', 'application/x-ndjson')
      .send(body)
      .expect(200);
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    expect(ndjson(res.text)).toEqual([
      { line: 1, status: 'accepted' },
      { line: 2, status: 'accepted' },
      {
        line: 3,
        status: 'rejected',
        errors: [
          {
            pointer: '/office/code',
            code: 'other-office',
            message: 'the record belongs to another ODSP office than odsp:central',
          },
        ],
      },
      { line: 4, status: 'rejected', errors: [expect.objectContaining({ pointer: '/personal/birthDate' })] },
      { summary: { lines: 4, accepted: 2, rejected: 2, failed: 0 } },
    ]);
    expect(await rawRecords()).toBe(before + 2);

    const listed = await waitFor(
      async () => {
        const r = await http()
          .get('/v1/referrals')
          .query({ sourceReferralId: tagged.referralRequest.referralId })
          .set('authorization', `Bearer ${central}`);
        return r.body.items?.length === 1 ? r.body.items[0] : undefined;
      },
      60_000,
      'the bulk-synced referral listed',
    );
    expect(listed).toMatchObject({ referrer: 'odsp:central', sourceReferralId: tagged.referralRequest.referralId });

    const ow = await mintDevToken({ org: 'ow:ottawa', scopes: ['case-records:write'] }, config);
    await http()
      .post('/v1/odsp/employment-records:batch')
      .set('authorization', `Bearer ${ow}`)
      .set('content-type', 'application/x-ndjson')
      .send(body)
      .expect(403);
  }, 120_000);

  it('sends an office export with `npm run ingest`, which picks the ODSP endpoint from the token', async () => {
    const work = mkdtempSync(join(tmpdir(), 'odsp-ingest-'));
    try {
      const file = join(work, 'central.ndjson');
      const minimal = readFixture('odsp-employment-record/zoe-lachance-ouellet-minimal.json');
      writeFileSync(file, `${JSON.stringify({ ...minimal, sourceRecordId: `${minimal.sourceRecordId}-cli` })}\n`);
      const before = await rawRecords();
      const { code, stdout } = await runTool('ingest', [file, '--gateway', stack.base], {
        PASSERELLE_GATEWAY: '',
        PASSERELLE_TOKEN: central,
      });
      expect({ code, stdout }).toEqual({ code: 0, stdout: 'summary: 1 lines, 1 accepted, 0 rejected, 0 failed\n' });
      expect(await rawRecords()).toBe(before + 1);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);
});
