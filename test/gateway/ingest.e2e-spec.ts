import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OwCaseRecord } from '@passerelle/contracts';
import { isSealedPersonal } from '@passerelle/crypto';
import { deterministicEventId } from '@passerelle/messaging';
import { Client } from 'pg';
import request from 'supertest';
import { mintDevToken } from '@passerelle/auth';
import { createGateway } from '../../apps/gateway/src/create-gateway';
import { loadGatewayConfig } from '../../apps/gateway/src/gateway.config';
import { testDatabaseUrl } from '../support/database';
import { runTool } from '../support/run-tool';
import { headersAsStrings, readRecords, testBrokers, testKafka, uniqueName } from '../support/kafka';
import { SUITE_MASTER_KEY } from '../support/suite-env';

const ROOT = join(__dirname, '..', '..');
const SOURCES = join(ROOT, 'test', 'fixtures', 'sources');
const URL_PATH = '/v1/ow/case-records:batch';
const TYPE = 'ca.on.passerelle.ow-case-record.received';
const OW_SCHEMA = 'https://schemas.passerelle.ontario.ca/v1/sources/ow-case-record.json';

/** A delivery agent's export holds its own caseload: every record here is the caller's (ow:ottawa). */
const AGENT = 'ottawa';
const ofAgent = (record: OwCaseRecord): OwCaseRecord => ({
  ...record,
  deliveryAgent: { ...record.deliveryAgent, code: AGENT },
});
const goodRecords = (): OwCaseRecord[] =>
  readFileSync(join(SOURCES, 'ow-case-record.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => ofAgent(JSON.parse(l) as OwCaseRecord));
const fixtureRecord = (file: string): OwCaseRecord =>
  ofAgent((JSON.parse(readFileSync(join(SOURCES, file), 'utf8')) as { record: OwCaseRecord }).record);
const eventIdOf = (r: Pick<OwCaseRecord, 'sourceRecordId' | 'recordVersion'>) =>
  deterministicEventId({ sourceSystem: 'gateway', recordId: r.sourceRecordId, version: r.recordVersion, type: TYPE });

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

/** A record as CSV cells: objects spread over dotted-path columns, arrays as JSON text. */
function flatten(record: object): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (value: unknown, path: string[]) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
    } else out.set(path.join('.'), Array.isArray(value) ? JSON.stringify(value) : String(value));
  };
  walk(record, []);
  return out;
}
const csvCell = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** A record padded past 1 MB (a field no schema allows: it must be refused for its size first). */
const oneMegabyteLine = (record: OwCaseRecord) => JSON.stringify({ ...record, padding: 'x'.repeat(1_100_000) });

describe('POST /v1/ow/case-records:batch on the shared broker', () => {
  const schema = uniqueName('t_ingest').replace(/-/g, '_');
  const prefix = `${schema}.`;
  const topic = `${prefix}ow.case-records.v1`;
  const kafka = testKafka('ingest-e2e');
  const work = mkdtempSync(join(tmpdir(), 'passerelle-ingest-'));
  let app: NestFastifyApplication | undefined;
  let baseUrl: string;
  let token: string;
  /** ce_ids every test expects on the raw topic so far. */
  const expectedIds = new Set<string>();
  let producedRecords = 0;

  beforeAll(async () => {
    const config = loadGatewayConfig({
      KAFKA_BROKERS: testBrokers().join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      DATABASE_URL: testDatabaseUrl(),
      DATABASE_SCHEMA: schema,
      PERSONAL_DATA_MASTER_KEY: SUITE_MASTER_KEY,
      LOG_LEVEL: 'warn',
    });
    app = await createGateway(config);
    token = await mintDevToken({ org: `ow:${AGENT}`, scopes: ['case-records:write'] }, config);
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    rmSync(work, { recursive: true, force: true });
    const pg = new Client({ connectionString: testDatabaseUrl() });
    await pg.connect();
    await pg.query(`drop schema if exists "${schema}" cascade`);
    await pg.end();
  });

  const http = () => request(app!.getHttpServer());
  /** A POST as the delivery agent (its token), as every caller of the bulk endpoint must be. */
  const post = (path: string) => http().post(path).set('authorization', `Bearer ${token}`);

  /** Every record on the raw topic: exactly `producedRecords` of them, their ce_ids, headers checked. */
  async function readTopic(): Promise<Map<string, Record<string, string>>> {
    const records = await readRecords(kafka, topic, producedRecords, 60_000);
    const byId = new Map<string, Record<string, string>>();
    for (const record of records) {
      const headers = headersAsStrings(record.headers);
      const data = JSON.parse(record.value!.toString()) as Omit<OwCaseRecord, 'personal'> & { personal: unknown };
      // The person travels sealed with its client's key, and the record is keyed by that client.
      if (!isSealedPersonal(data.personal)) throw new Error(`${headers.ce_id} carries personal data in clear`);
      expect(headers).toMatchObject({
        ce_type: TYPE,
        ce_time: data.recordedAt,
        ce_dataschema: OW_SCHEMA,
        ce_partitionkey: data.personal.keyId,
        'content-type': 'application/json',
      });
      expect(record.key?.toString()).toBe(data.personal.keyId);
      expect(headers.ce_id).toBe(eventIdOf(data));
      byId.set(headers.ce_id, headers);
    }
    expect(records).toHaveLength(producedRecords);
    return byId;
  }

  it('answers an NDJSON export of good and bad lines with exact per-line results, and every accepted record is on the raw topic', async () => {
    const good = goodRecords();
    const impossibleDate = fixtureRecord('invalid/ow-impossible-date.json');
    const unknownCodes = fixtureRecord('unmapped/ow-unknown-activity-and-purpose.json');
    const lines = [
      JSON.stringify(good[0]), // 1
      '', // 2: empty, skipped
      '{"sourceRecordId": "OW-BROKEN", "recordVersion": ', // 3: bad JSON
      JSON.stringify(good[1]), // 4
      JSON.stringify(impossibleDate), // 5: February 30
      JSON.stringify({ ...good[2], recordedAt: '2025-10-10 15:30' }), // 6: not a date-time
      JSON.stringify(unknownCodes), // 7: unmapped SAMS codes
      oneMegabyteLine(good[3]), // 8: over 1 MB
      `${JSON.stringify(good[4])}\r`, // 9: CRLF
      ...good.slice(5).map((r) => JSON.stringify(r)), // 10..15
    ];
    const res = await post(URL_PATH).set('content-type', 'application/x-ndjson').send(lines.join('\n')).expect(200);
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    const results = ndjson(res.text);
    const accepted = (line: number) => ({ line, status: 'accepted' });
    expect(results).toEqual([
      accepted(1),
      {
        line: 3,
        status: 'rejected',
        errors: [{ pointer: '', code: 'json', message: expect.stringContaining('is not valid JSON') }],
      },
      accepted(4),
      {
        line: 5,
        status: 'rejected',
        errors: [{ pointer: '/participationPlan/reviewDueOn', code: 'format', message: 'must match format "date"' }],
      },
      {
        line: 6,
        status: 'rejected',
        errors: [{ pointer: '/recordedAt', code: 'format', message: 'must match format "date-time"' }],
      },
      {
        line: 7,
        status: 'rejected',
        errors: [
          { pointer: '/activities/1/activityCode', code: 'unmapped-code', message: expect.stringContaining('"XYZ"') },
          { pointer: '/consents/0/purposeCode', code: 'unmapped-code', message: expect.stringContaining('"RSRCH"') },
        ],
      },
      {
        line: 8,
        status: 'rejected',
        errors: [
          {
            pointer: '',
            code: 'too-large',
            message: expect.stringMatching(/^line is 11\d{5} bytes, over the limit of 1000000$/),
          },
        ],
      },
      accepted(9),
      ...good.slice(5).map((_, i) => accepted(10 + i)),
      { summary: { lines: 14, accepted: 9, rejected: 5, failed: 0 } },
    ]);

    const acceptedRecords = [good[0], good[1], ...good.slice(4)];
    for (const r of acceptedRecords) expectedIds.add(eventIdOf(r));
    producedRecords += acceptedRecords.length;
    const onTopic = await readTopic();
    expect(new Set(onTopic.keys())).toEqual(expectedIds);
  });

  it('answers a CSV export (dotted-path header, JSON cells) of good and bad rows with exact per-line results', async () => {
    const good = goodRecords();
    const impossibleBirth = { ...good[3], personal: { ...good[3].personal, birthDate: '1990-02-30' } };
    const unknownCode = fixtureRecord('unmapped/ow-cams-code-in-sams-record.json');
    const rows = [good[0], good[1], impossibleBirth, unknownCode, ...good.slice(5)].map(flatten);
    const columns = [...new Set(rows.flatMap((row) => [...row.keys()]))];
    const csvRow = (row: Map<string, string>) => columns.map((c) => csvCell(row.get(c) ?? '')).join(',');
    const lines = [
      columns.join(','), // 1: header
      csvRow(rows[0]), // 2
      `"OW-EXPORT-2025-1002,"3"x,${columns
        .slice(2)
        .map(() => '')
        .join(',')}`, // 3: bad quoting
      csvRow(rows[1]), // 4
      csvRow(rows[2]), // 5: 30 February
      '', // 6: empty
      csvRow(rows[3]), // 7: a CaMS code in a SAMS record
      csvRow(new Map([...rows[1], ['referralRequest.notes', 'x'.repeat(1_100_000)]])), // 8: over 1 MB
      'a,b', // 9: wrong cell count
      ...rows.slice(4).map(csvRow), // 10..
    ];
    const res = await post(URL_PATH)
      .set('content-type', 'text/csv; charset=utf-8')
      .send(`${lines.join('\r\n')}\r\n`)
      .expect(200);
    const accepted = (line: number) => ({ line, status: 'accepted' });
    expect(ndjson(res.text)).toEqual([
      accepted(2),
      {
        line: 3,
        status: 'rejected',
        errors: [{ pointer: '', code: 'csv', message: expect.stringContaining('Invalid Closing Quote') }],
      },
      accepted(4),
      {
        line: 5,
        status: 'rejected',
        errors: [{ pointer: '/personal/birthDate', code: 'format', message: 'must match format "date"' }],
      },
      {
        line: 7,
        status: 'rejected',
        errors: [
          { pointer: '/exit/exitReasonCode', code: 'unmapped-code', message: expect.stringContaining('"EMP-FT"') },
        ],
      },
      {
        line: 8,
        status: 'rejected',
        errors: [{ pointer: '', code: 'too-large', message: expect.stringContaining('over the limit of 1000000') }],
      },
      {
        line: 9,
        status: 'rejected',
        errors: [{ pointer: '', code: 'csv', message: `has 2 cells where the header has ${columns.length}` }],
      },
      ...rows.slice(4).map((_, i) => accepted(10 + i)),
      { summary: { lines: 5 + 2 + rows.length - 4, accepted: 2 + rows.length - 4, rejected: 5, failed: 0 } },
    ]);
    // Same records as the NDJSON upload: same ce_ids, so consumers deduplicate them.
    for (const r of [good[0], good[1], ...good.slice(5)]) expect(expectedIds.has(eventIdOf(r))).toBe(true);
    producedRecords += 2 + rows.length - 4;
    const onTopic = await readTopic();
    expect(new Set(onTopic.keys())).toEqual(expectedIds);
  });

  it('streams a 100 MB export (100,000 lines) through with bounded memory: results flow back while it uploads', async () => {
    const template = goodRecords()[1];
    const file = join(work, 'large.ndjson');
    const count = 100_000;
    const out = createWriteStream(file);
    for (let i = 0; i < count; i += 1) {
      const record = {
        ...template,
        sourceRecordId: `OW-BULK-${i}`,
        personal: { ...template.personal, memberId: String(600_000_000 + i) },
      };
      if (!out.write(`${JSON.stringify(record)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    out.end();
    await finished(out);
    const fileBytes = statSync(file).size;
    expect(fileBytes).toBeGreaterThan(100_000_000);

    // Live memory: sampled right after a full garbage collection, so lazily collected garbage
    // (which the RSS also shows) does not count, only what the process holds.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const live = () => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const baseline = live();
    const baselineRss = process.memoryUsage().rss;
    let peakLive = baseline;
    let peakRss = baselineRss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      peakLive = Math.max(peakLive, live());
    }, 250);
    const startedAt = Date.now();
    let uploadDoneAt = 0;
    let firstResultAt = 0;
    const text = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        `${baseUrl}${URL_PATH}`,
        { method: 'POST', headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}` } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => {
            firstResultAt ||= Date.now();
            chunks.push(chunk);
          });
          res.on('end', () => resolve(Buffer.concat(chunks).toString()));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      const upload = createReadStream(file);
      upload.on('end', () => (uploadDoneAt = Date.now()));
      upload.pipe(req);
    });
    clearInterval(sampler);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(count + 1);
    expect(JSON.parse(lines[count])).toEqual({ summary: { lines: count, accepted: count, rejected: 0, failed: 0 } });
    expect(JSON.parse(lines[count - 1])).toEqual({ line: count, status: 'accepted' });
    // Streamed: the first results came back long before the upload ended...
    expect(firstResultAt).toBeGreaterThan(0);
    expect(firstResultAt).toBeLessThan(uploadDoneAt);
    // ...and the process never held anything like the file in memory.
    const mb = (n: number) => (n / 1e6).toFixed(1);
    console.log(
      `ingest e2e: ${count} lines, ${mb(fileBytes)} MB uploaded in ${uploadDoneAt - startedAt} ms; ` +
        `live heap+buffers ${mb(baseline)} -> peak ${mb(peakLive)} MB (+${mb(peakLive - baseline)}); ` +
        `RSS ${mb(baselineRss)} -> peak ${mb(peakRss)} MB (+${mb(peakRss - baselineRss)})`,
    );
    expect(peakLive - baseline).toBeLessThan(fileBytes / 2);

    producedRecords += count;
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(producedRecords);
    // Room for a loaded CI machine (other suites share both cores): this checks memory and
    // completeness, not speed (the benchmarks measure that).
  }, 480_000);

  describe('npm run ingest (infra/tools/ingest.ts)', () => {
    const runCli = (...args: string[]) => runTool('ingest', args, { PASSERELLE_GATEWAY: '', PASSERELLE_TOKEN: token });

    it('exits 0 with the summary when every record was accepted, showing progress on stderr', async () => {
      const file = join(work, 'good.ndjson');
      writeFileSync(
        file,
        `${goodRecords()
          .map((r) => JSON.stringify(r))
          .join('\n')}\n`,
      );
      const { code, stdout, stderr } = await runCli(file, '--gateway', baseUrl);
      expect({ code, stdout }).toEqual({ code: 0, stdout: 'summary: 11 lines, 11 accepted, 0 rejected, 0 failed\n' });
      expect(stderr).toContain('100% 0.0/0.0 MB sent, 11 lines answered');
    });

    it('exits 1 printing each rejected line, field and reason, then the summary', async () => {
      const good = goodRecords();
      const file = join(work, 'mixed.csv');
      const header = 'sourceRecordId,recordVersion,recordedAt,deliveryAgent,programCode,personal';
      const row = (r: OwCaseRecord) =>
        [
          r.sourceRecordId,
          String(r.recordVersion),
          r.recordedAt,
          JSON.stringify(r.deliveryAgent),
          r.programCode,
          JSON.stringify(r.personal),
        ]
          .map(csvCell)
          .join(',');
      writeFileSync(file, [header, row(good[6]), row({ ...good[7], programCode: 'XX' }), `"oops,1`, ''].join('\n'));
      const { code, stdout } = await runCli(file, `--gateway=${baseUrl}`);
      expect(code).toBe(1);
      expect(stdout.split('\n')).toEqual([
        expect.stringMatching(
          /^line 3: rejected: \/programCode \[unmapped-code\] sams code "XX" has no mapping in code table programs$/,
        ),
        expect.stringMatching(/^line 4: rejected: \(line\) \[csv\] is not a CSV row: Quote Not Closed/),
        'summary: 3 lines, 1 accepted, 2 rejected, 0 failed',
        '',
      ]);
    });

    it('exits 2 on a usage error, and 1 when the gateway cannot be reached', async () => {
      expect((await runCli()).code).toBe(2);
      expect((await runCli(join(work, 'export.xml'), '--gateway', baseUrl)).code).toBe(2);
      const file = join(work, 'nothing.ndjson');
      writeFileSync(file, '');
      const down = await runCli(file, '--gateway', 'http://127.0.0.1:9');
      expect(down.code).toBe(1);
      expect(down.stderr).toContain('ECONNREFUSED');
    });
  });

  it('refuses any other media type with 415 problem+json, before reading a line', async () => {
    const json = await post(URL_PATH).set('content-type', 'application/json').send('{}').expect(415);
    expect(json.headers['content-type']).toContain('application/problem+json');
    expect(json.body).toMatchObject({
      status: 415,
      instance: URL_PATH,
      detail: expect.stringContaining('application/x-ndjson or text/csv'),
    });
    const xml = await post(URL_PATH).set('content-type', 'application/xml').send('<a/>').expect(415);
    expect(xml.headers['content-type']).toContain('application/problem+json');
    const latin1 = await post(URL_PATH).set('content-type', 'text/csv; charset=iso-8859-1').send('a\n').expect(415);
    expect(latin1.headers['content-type']).toContain('application/problem+json');
    // The colon is literal: a look-alike path is no route.
    await post('/v1/ow/case-records:other').set('content-type', 'application/x-ndjson').send('{}').expect(404);
  });

  it('lets only a delivery agent with the scope in, and only with its own caseload', async () => {
    const onTopic = async (): Promise<number> => {
      const admin = kafka.admin();
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets(topic);
      await admin.disconnect();
      return offsets.reduce((sum, p) => sum + Number(p.high), 0);
    };
    const before = await onTopic();
    const line = `${JSON.stringify(goodRecords()[0])}\n`;
    const as = async (header: string | undefined) => {
      const req = http().post(URL_PATH).set('content-type', 'application/x-ndjson');
      return (header === undefined ? req : req.set('authorization', header)).send(line);
    };
    const config = { issuer: 'passerelle-dev', audience: 'passerelle', devKeyDir: '.cache/dev-jwt' };
    const none = await as(undefined);
    expect(none.status).toBe(401);
    expect(none.headers['content-type']).toContain('application/problem+json');
    expect(none.headers['www-authenticate']).toContain('Bearer');
    expect(
      (
        await as(
          `Bearer ${await mintDevToken({ org: `ow:${AGENT}`, scopes: ['case-records:write'], ttlSeconds: -5 }, config)}`,
        )
      ).status,
    ).toBe(401);
    expect(
      (
        await as(
          `Bearer ${await mintDevToken({ org: `ow:${AGENT}`, scopes: ['case-records:write'] }, { ...config, audience: 'other' })}`,
        )
      ).status,
    ).toBe(401);
    const noScope = await as(
      `Bearer ${await mintDevToken({ org: `ow:${AGENT}`, scopes: ['referrals:read'] }, config)}`,
    );
    expect(noScope.status).toBe(403);
    expect(noScope.body.detail).toContain('case-records:write');
    expect(
      (await as(`Bearer ${await mintDevToken({ org: 'eo:provider-7', scopes: ['case-records:write'] }, config)}`))
        .status,
    ).toBe(403);

    // Another delivery agent's token: the same record is refused, line by line, and nothing is produced.
    const other = await as(
      `Bearer ${await mintDevToken({ org: 'ow:toronto', scopes: ['case-records:write'] }, config)}`,
    );
    expect(other.status).toBe(200);
    expect(ndjson(other.text)).toEqual([
      {
        line: 1,
        status: 'rejected',
        errors: [
          {
            pointer: '/deliveryAgent/code',
            code: 'other-delivery-agent',
            message: expect.stringContaining('ow:toronto'),
          },
        ],
      },
      { summary: { lines: 1, accepted: 0, rejected: 1, failed: 0 } },
    ]);
    expect(await onTopic()).toBe(before);
  });
});
