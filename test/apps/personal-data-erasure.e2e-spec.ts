import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { mintDevToken } from '@passerelle/auth';
import type { OwCaseRecord } from '@passerelle/contracts';
import { isSealedPersonal, type SealedPersonal } from '@passerelle/crypto';
import { personalDataVault } from '@passerelle/persistence';
import { owAdapterApp } from '../../apps/ow-adapter/src/ow-adapter.app';
import { referralTrackerApp } from '../../apps/referral-tracker/src/referral-tracker.app';
import { readFixture, taggedReferral } from '../support/client-path';
import { useGatewayStack } from '../support/gateway-stack';
import { readRecords, testKafka, waitFor, type ReadRecord } from '../support/kafka';

const MASTER_KEY = randomBytes(32);

/** What identifies a person in a record, in every form the pipeline writes it (as sent, normalized). */
function needlesOf(record: OwCaseRecord): string[] {
  const { personal } = record;
  const phoneDigits = (personal.contact?.phone ?? '').replace(/\D/g, '');
  const postal = personal.contact?.address?.postalCode ?? '';
  return [
    personal.name.givenName,
    personal.name.familyName,
    personal.birthDate,
    personal.memberId,
    personal.caseId,
    ...(phoneDigits ? [phoneDigits.slice(-7), `${phoneDigits.slice(-7, -4)}-${phoneDigits.slice(-4)}`] : []),
    ...(postal ? [postal, postal.replace(' ', '')] : []),
    ...(personal.contact?.email ? [personal.contact.email] : []),
    // Free text about the person: sealed on the raw topic, under `personal` in canonical events.
    ...(record.referralRequest?.notes ? [record.referralRequest.notes.slice(0, 40)] : []),
  ];
}

/**
 * Crypto-shredding on the real pipeline (gateway, ow-adapter, tracker, Kafka, PostgreSQL) with a
 * master key: no topic ever holds a person's data in clear, the provider still reads it, and
 * once the client withdraws consent (or its referrer asks for erasure) no copy anywhere (any
 * topic, any table) can be read again.
 */
describe('personal data erasure (crypto-shredding)', () => {
  const stack = useGatewayStack('t_erase', [owAdapterApp, referralTrackerApp], {
    PERSONAL_DATA_MASTER_KEY: MASTER_KEY.toString('hex'),
    // Short, so the adapter's and tracker's vaults see an erasure quickly (other replicas: within the TTL).
    PERSONAL_DATA_KEY_CACHE_MS: '200',
  });
  const http = stack.http;
  const kafka = testKafka('erasure-reader');

  /** Every record of every topic of the suite, from offset 0, with a bare client. */
  async function everyRecord(): Promise<ReadRecord[]> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(stack.prefix));
      const all: ReadRecord[] = [];
      for (const topic of topics) {
        const offsets = await admin.fetchTopicOffsets(topic);
        const count = offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
        if (count > 0) all.push(...(await readRecords(kafka, topic, count)));
      }
      return all;
    } finally {
      await admin.disconnect();
    }
  }
  const textOf = (r: ReadRecord): string =>
    [
      r.key?.toString('utf8') ?? '',
      r.value?.toString('utf8') ?? '',
      ...Object.values(r.headers ?? {}).map((h) => String(h)),
    ].join('\n');
  const readableOnTopics = async (needles: string[]) =>
    (await everyRecord()).flatMap((r) =>
      needles
        .filter((n) => textOf(r).includes(n))
        .map((n) => `${r.topic}@${r.offset} ${String(r.headers?.ce_type)}: ${n}`),
    );
  const sealedOnTopics = async (clientId: string): Promise<Array<{ topic: string; sealed: SealedPersonal }>> =>
    (await everyRecord()).flatMap((r) => {
      const personal = (JSON.parse(r.value?.toString('utf8') ?? 'null') as { personal?: unknown } | null)?.personal;
      return isSealedPersonal(personal) && personal.keyId === clientId
        ? [{ topic: r.topic.slice(stack.prefix.length), sealed: personal }]
        : [];
    });
  /** Every row of every table of the suite's schema, searched as text. */
  const readableInTables = async (needles: string[]) => {
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = ${stack.schema} and table_type = 'BASE TABLE'`.execute(
      stack.database.db,
    );
    const found: string[] = [];
    for (const { table_name } of tables.rows) {
      const rows = await sql<{ row: string }>`select t::text as row from ${sql.table(table_name)} t`.execute(
        stack.database.db,
      );
      for (const { row } of rows.rows)
        for (const needle of needles) if (row.includes(needle)) found.push(`${table_name}: ${needle}`);
    }
    return found;
  };
  const token = (org: string, scopes: string[]) => mintDevToken({ org, scopes }, stack.config);
  const referrerScopes = ['referrals:write', 'referrals:read', 'consent:write'];

  /** Submitted over HTTP and routed by the tracker: its ids and the provider's inbox entry. */
  async function routed(record: OwCaseRecord, referrer: string, key: string) {
    const res = await http()
      .post('/v1/referrals')
      .set('authorization', `Bearer ${referrer}`)
      .set('idempotency-key', key)
      .send(record)
      .expect(202);
    const referralId = res.body.referralId as string;
    const row = await waitFor(
      () =>
        stack.database.db
          .selectFrom('referral')
          .select(['client_id', 'consent_id', 'provider', 'business_status'])
          .where('referral_id', '=', referralId)
          .where('business_status', '=', 'routed')
          .executeTakeFirst(),
      60_000,
      `referral ${referralId} routed`,
    );
    return { referralId, clientId: row.client_id, consentId: row.consent_id, provider: row.provider! };
  }
  const vault = () => personalDataVault(stack.database.db, { ...stack.config, personalDataKeyCacheMs: 1 });

  const eloise = readFixture('ow-case-record/eloise-cote-tremblay-referral.json');
  const marcus = readFixture('ow-case-record/marcus-okafor-accelerated.json');

  it('keeps personal data sealed on every topic while the provider reads it; consent withdrawal shreds every copy', async () => {
    const sudbury = await token('ow:greater-sudbury', referrerScopes);
    const { referralId, clientId, consentId, provider } = await routed(eloise, sudbury, 'erase-eloise');
    const needles = needlesOf(eloise);

    // The provider entitled to it reads the person in clear...
    const providerToken = await token(provider, ['provider:read']);
    const inbox = await http()
      .get('/v1/provider/referrals')
      .set('authorization', `Bearer ${providerToken}`)
      .expect(200);
    const item = (inbox.body.items as Array<{ referralId: string; personal?: { name: { givenName: string } } }>).find(
      (i) => i.referralId === referralId,
    );
    expect(item?.personal?.name.givenName).toBe(eloise.personal.name.givenName);
    // ...while no topic holds any of it in clear: only sealed, on the raw and the canonical topics.
    expect(await readableOnTopics(needles)).toEqual([]);
    const sealed = await sealedOnTopics(clientId);
    expect(new Set(sealed.map((s) => s.topic))).toEqual(new Set(['ow.case-records.v1', 'clients.v1', 'referrals.v1']));
    expect(await vault().reveal(clientId, sealed[0].sealed)).toMatchObject({ birthDate: eloise.personal.birthDate });

    await http()
      .post(`/v1/clients/${clientId}/consent/withdraw`)
      .set('authorization', `Bearer ${sudbury}`)
      .set('idempotency-key', 'erase-eloise-withdraw')
      .send({ consentId })
      .expect(202);
    await waitFor(
      () =>
        stack.database.db
          .selectFrom('referral')
          .select('status')
          .where('referral_id', '=', referralId)
          .where('status', '=', 'cancelled')
          .executeTakeFirst(),
      60_000,
      'referral cancelled by the withdrawal',
    );

    // Every sealed copy, old and new, is now unreadable; nothing is in clear anywhere.
    const after = await sealedOnTopics(clientId);
    expect(after.length).toBeGreaterThanOrEqual(sealed.length);
    for (const { sealed: copy } of after) expect(await vault().reveal(clientId, copy)).toBeUndefined();
    expect(await readableOnTopics(needles)).toEqual([]);
    expect(await readableInTables(needles)).toEqual([]);
    const key = await stack.database.db
      .selectFrom('client_key')
      .selectAll()
      .where('client_id', '=', clientId)
      .executeTakeFirstOrThrow();
    expect(key).toMatchObject({ wrapped_key: null, master_key_id: null, erased_at: expect.any(Date) });
    // Events about the client still flow, de-identified: the cancellation came after the erasure.
    const cancelled = (await everyRecord()).filter(
      (r) =>
        r.topic === `${stack.prefix}referrals.v1` &&
        String(r.headers?.ce_type) === 'ca.on.passerelle.referral.cancelled' &&
        String(r.headers?.ce_subject) === referralId,
    );
    expect(cancelled.length).toBeGreaterThan(0);
    for (const r of cancelled) expect(JSON.parse(r.value!.toString('utf8'))).not.toHaveProperty('personal.name');
  }, 180_000);

  it('lets a later referral about the erased client flow, de-identified, without a new key', async () => {
    const sudbury = await token('ow:greater-sudbury', referrerScopes);
    const again = taggedReferral('ow-case-record/eloise-cote-tremblay-referral.json', 'again');
    const res = await http()
      .post('/v1/referrals')
      .set('authorization', `Bearer ${sudbury}`)
      .set('idempotency-key', 'erase-eloise-again')
      .send(again)
      .expect(202);
    const referralId = res.body.referralId as string;
    const row = await waitFor(
      () =>
        stack.database.db
          .selectFrom('referral')
          .select(['client_id', 'snapshot', 'business_status'])
          .where('referral_id', '=', referralId)
          .executeTakeFirst(),
      60_000,
      `referral ${referralId} tracked`,
    );
    expect(row.snapshot).not.toHaveProperty('personal');
    expect(await vault().isErased(row.client_id)).toBe(true);
    expect(await readableOnTopics(needlesOf(again))).toEqual([]);
    expect(await readableInTables(needlesOf(again))).toEqual([]);
  }, 180_000);

  it("erases on the referrer's request only (404 for another organization), audited, idempotent", async () => {
    const toronto = await token('ow:toronto', referrerScopes);
    const { clientId } = await routed(marcus, toronto, 'erase-marcus');
    const needles = needlesOf(marcus);
    expect(await readableOnTopics(needles)).toEqual([]);
    expect(await readableInTables(needles)).not.toEqual([]);

    const stranger = await token('ow:ottawa', referrerScopes);
    const refused = await http().post(`/v1/clients/${clientId}/erase`).set('authorization', `Bearer ${stranger}`);
    expect({ status: refused.status, type: String(refused.body.type).split('/').pop() }).toEqual({
      status: 404,
      type: 'erasure-client-not-found',
    });
    expect(await vault().isErased(clientId)).toBe(false);

    await http().post(`/v1/clients/${clientId}/erase`).set('authorization', `Bearer ${toronto}`).expect(204);
    await http().post(`/v1/clients/${clientId}/erase`).set('authorization', `Bearer ${toronto}`).expect(204);
    expect(await vault().isErased(clientId)).toBe(true);
    for (const { sealed } of await sealedOnTopics(clientId))
      expect(await vault().reveal(clientId, sealed)).toBeUndefined();
    expect(await readableOnTopics(needles)).toEqual([]);
    expect(await readableInTables(needles)).toEqual([]);
    const audited = await stack.database.db
      .selectFrom('audit_log')
      .select(['org', 'action', 'purpose'])
      .where('client_id', '=', clientId)
      .where('purpose', '=', 'erasure-request')
      .execute();
    expect(audited).toEqual([
      { org: 'ow:toronto', action: 'write', purpose: 'erasure-request' },
      { org: 'ow:toronto', action: 'write', purpose: 'erasure-request' },
    ]);
  }, 180_000);
});
