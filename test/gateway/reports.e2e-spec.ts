import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { mintDevToken } from '@passerelle/auth';
import { mapSourceCode, type CodeTableName, type SourceSystem } from '@passerelle/codes';
import type { EoServiceRecord, OdspEmploymentRecord, OwCaseRecord } from '@passerelle/contracts';
import { OntarioBusinessCalendar } from '@passerelle/lifecycle';
import { createKafka } from '@passerelle/messaging';
import { COUNT_MEASURES, type OutcomeReport, type ReportMeasures } from '../../apps/gateway/src/reports/outcome-report';
import { eoAdapterApp } from '../../apps/eo-adapter/src/eo-adapter.app';
import { owAdapterApp } from '../../apps/ow-adapter/src/ow-adapter.app';
import { referralTrackerApp } from '../../apps/referral-tracker/src/referral-tracker.app';
import { generateProvince, loadProvince } from '../../infra/tools/demo/province';
import type { Story } from '../../infra/tools/demo/story';
import { seedProvince, type SeedResult } from '../../infra/tools/demo/seed';
import { useGatewayStack } from '../support/gateway-stack';
import { testBrokers } from '../support/kafka';

/**
 * The ministry's outcome report and dashboard on a small province seeded through the real
 * pipeline (gateway bulk upload, raw topics, both adapters, the tracker): every published figure
 * is checked against counts worked out here from the records that were sent, not from the ledger.
 */

const ARTIFACTS = join(__dirname, '..', 'artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MIN = 5;

/** What a report should say of a set of stories, computed from the records sent. */
type Expected = Record<string, { value: number; clients: Set<string> }> & {
  days: number[];
  acceptedClients: Set<string>;
};

// Every count the report publishes: one the test does not compute below stays 0 here and fails the check.
const COUNTS = COUNT_MEASURES;
const FOLLOW_UP_MEASURE: Record<string, string> = {
  FU01: 'employedAt1Month',
  FU03: 'employedAt3Months',
  FU06: 'employedAt6Months',
  FU12: 'employedAt12Months',
};

function canonical(table: CodeTableName, system: SourceSystem, code: string): string {
  const mapped = mapSourceCode(table, system, code);
  if (!mapped.ok) throw new Error(mapped.reason);
  return mapped.code;
}

/** Whether a job found at a follow-up meets the IES milestone: 20+ hours, at least the minimum wage of the time (17.20 / 17.60), unsubsidized. */
const meetsMilestone = (job: { hoursPerWeek: number; hourlyWage?: string; subsidized: boolean } | undefined): boolean =>
  job !== undefined &&
  !job.subsidized &&
  job.hoursPerWeek >= 20 &&
  job.hourlyWage !== undefined &&
  Number(job.hourlyWage) >= 17.6;

function expectedOf(stories: readonly Story[], sent: SeedResult, calendar: OntarioBusinessCalendar): Expected {
  const expected = { days: [] as number[], acceptedClients: new Set<string>() } as Expected;
  for (const m of [...COUNTS, 'clients']) expected[m] = { value: 0, clients: new Set() };
  const add = (measure: string, client: string, by = 1): void => {
    expected[measure].value += by;
    expected[measure].clients.add(client);
  };
  for (const story of stories) {
    const client = story.memberId;
    const referrer: Array<OwCaseRecord | OdspEmploymentRecord> = [
      ...sent.owCaseRecords.filter((r) => r.personal.memberId === client),
      ...sent.odspRecords.filter((r) => r.personal.memberId === client),
    ].sort((a, b) => a.recordVersion - b.recordVersion);
    const provider: EoServiceRecord[] = sent.eoRecords
      .filter((r) => r.referralResponse?.referralId === story.referralId)
      .sort((a, b) => a.recordVersion - b.recordVersion);
    const first = referrer[0];
    const latest = referrer.at(-1);
    const latestEo = provider.at(-1);
    add('clients', client);
    add('referralsMade', client);
    if (sent.routedTo.has(story.referralId)) add('routed', client);
    const answer = provider.at(0)?.referralResponse;
    if (answer?.decision === 'accepted') {
      add('accepted', client);
      // Routed when the referrer's record arrived; accepted when the provider's first record did.
      expected.days.push(calendar.businessDaysBetween(first.recordedAt, provider[0].recordedAt));
      expected.acceptedClients.add(client);
    }
    if (answer?.decision === 'declined') {
      add('rejected', client);
      const reason = `reason:${canonical('decline-reasons', 'cams', answer.declineReasonCode!)}`;
      expected[reason] ??= { value: 0, clients: new Set() };
      add(reason, client);
    }
    if (provider.some((r) => r.servicePlan !== undefined)) add('inService', client);
    if (
      latestEo?.exit !== undefined &&
      ['employed-full-time', 'employed-part-time'].includes(
        canonical('exit-reasons', 'cams', latestEo.exit.exitReasonCode),
      )
    )
      add('completed', client);
    const referrerOutcomes =
      latest === undefined
        ? []
        : 'outcomes' in latest
          ? (latest.outcomes ?? [])
          : ((latest as OdspEmploymentRecord).milestones ?? []);
    const outcomeTypes = new Set(
      referrerOutcomes.map((o) =>
        canonical('outcome-types', 'deliveryAgent' in latest! ? 'sams' : 'odsp', o.outcomeTypeCode),
      ),
    );
    if ((latestEo?.employments ?? []).length > 0 || outcomeTypes.has('employment')) add('employed', client);
    for (const f of latestEo?.followUps ?? [])
      if (meetsMilestone(f.employment)) add(FOLLOW_UP_MEASURE[f.followUpCode], client);
    if (outcomeTypes.has('employment-retention') || outcomeTypes.has('odsp-job-retention')) add('retention', client);
    if (outcomeTypes.has('increased-earnings')) add('increasedEarnings', client);
    if (outcomeTypes.has('exit-to-employment')) add('exitsToEmployment', client);
    // Duplicates: an EO support and an OW/ODSP one of the same type whose periods overlap.
    const system = 'deliveryAgent' in first ? 'sams' : 'odsp';
    for (const eo of latestEo?.benefitsIssued ?? []) {
      for (const own of latest?.benefitsIssued ?? []) {
        const sameType =
          canonical('benefit-types', 'cams', eo.benefitTypeCode) ===
          canonical('benefit-types', system, own.benefitTypeCode);
        const overlap =
          own.periodStart <= (eo.periodEnd ?? eo.periodStart) && (own.periodEnd ?? own.periodStart) >= eo.periodStart;
        if (sameType && overlap) add('duplicateSupports', client);
      }
    }
  }
  return expected;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Every published figure equals the expectation; every figure about fewer than 5 clients is suppressed. Returns how many were published. */
function checkRow(measures: ReportMeasures, expected: Expected, where: string): number {
  let published = 0;
  const check = (
    name: string,
    got: number | 'suppressed',
    want: { value: number; clients: Set<string> } | undefined,
  ): void => {
    const value = want?.value ?? 0;
    const clients = want?.clients.size ?? 0;
    if (clients < MIN) expect({ where, name, got }).toEqual({ where, name, got: 'suppressed' });
    else if (got !== 'suppressed') {
      expect({ where, name, got }).toEqual({ where, name, got: value });
      published += 1;
    }
  };
  check('clients', measures.clients, expected.clients);
  for (const m of COUNTS) check(m, measures[m], expected[m]);
  for (const [reason, got] of Object.entries(measures.rejectedByReason))
    check(`rejectedByReason.${reason}`, got, expected[`reason:${reason}`]);
  if (expected.acceptedClients.size < MIN) expect(measures.medianBusinessDaysToAccept).toBe('suppressed');
  else expect({ where, median: measures.medianBusinessDaysToAccept }).toEqual({ where, median: median(expected.days) });
  return published;
}

describe('ministry outcome report and dashboard, on a province seeded through the pipeline', () => {
  const stack = useGatewayStack('t_rep', [owAdapterApp, eoAdapterApp, referralTrackerApp]);
  const { config, prefix } = stack;
  const calendar = OntarioBusinessCalendar.load();
  const stories = generateProvince(loadProvince(), {
    referrals: 160,
    seed: 31,
    from: '2025-01-06',
    to: '2025-06-27',
    now: new Date('2026-09-30T12:00:00Z'),
  });
  const period = 'from=2025-01-01&to=2025-06-30';
  let sent: SeedResult;
  let ministry: string;

  beforeAll(async () => {
    ministry = await mintDevToken({ org: 'ministry:mcss', scopes: ['reports:read'] }, config);
    sent = await seedProvince(stories, {
      kafka: createKafka({ brokers: testBrokers(), clientId: 'reports-e2e' }),
      topicPrefix: prefix,
      gateway: stack.base,
      token: (org, scopes) => mintDevToken({ org, scopes }, config),
      drainTimeoutMs: 240_000,
    });
  }, 420_000);

  const report = async (query: string, token = ministry): Promise<OutcomeReport> =>
    (await stack.http().get(`/v1/reports/outcomes?${query}`).set('authorization', `Bearer ${token}`).expect(200))
      .body as OutcomeReport;

  it('seeded every story without a dead letter, and routed exactly the referrals whose clients live in a catchment', () => {
    expect(sent.deadLettered).toBe(0);
    expect(stories.filter((s) => sent.routedTo.has(s.referralId)).map((s) => s.n)).toEqual(
      stories.filter((s) => s.routable).map((s) => s.n),
    );
    expect(stories.some((s) => !s.routable)).toBe(true);
  });

  it('gives the figures of the whole period as counted from the records sent', async () => {
    const body = await report(period);
    expect(body.period).toEqual({ from: '2025-01-01', to: '2025-06-30', timeZone: 'America/Toronto' });
    const expected = expectedOf(stories, sent, calendar);
    expect(checkRow(body.total.measures, expected, 'total')).toBeGreaterThanOrEqual(15);
    // The funnel and the main outcomes are large enough to be published.
    for (const m of [
      'referralsMade',
      'routed',
      'accepted',
      'rejected',
      'inService',
      'completed',
      'employed',
      'employedAt1Month',
      'employedAt3Months',
      'employedAt12Months',
      'retention',
    ] as const) {
      expect({ m, published: typeof body.total.measures[m] }).toEqual({ m, published: 'number' });
    }
    expect(typeof body.total.measures.medianBusinessDaysToAccept).toBe('number');
    expect(body.rows).toHaveLength(1);
    expect(body.rows[0].measures).toEqual(body.total.measures);
  });

  it('groups by program, and counts only the referrals made in the period asked for', async () => {
    const byProgram = await report(`${period}&groupBy=program`);
    expect(byProgram.rows.map((r) => r.group.program)).toEqual(['ODSP', 'OW']);
    for (const row of byProgram.rows) {
      checkRow(
        row.measures,
        expectedOf(
          stories.filter((s) => s.program === row.group.program),
          sent,
          calendar,
        ),
        `program ${row.group.program}`,
      );
    }
    const q1 = await report('from=2025-01-01&to=2025-03-31');
    const inQ1 = stories.filter((s) => s.requestedAt.slice(0, 10) <= '2025-03-31');
    expect(q1.total.measures.referralsMade).toBe(inQ1.length);
    checkRow(q1.total.measures, expectedOf(inQ1, sent, calendar), 'first quarter');
    expect((await report('from=2024-01-01&to=2024-12-31')).rows).toEqual([]);
  });

  it('groups by month and by delivery agent, suppressing every figure of a group of fewer than 5 clients', async () => {
    const byMonth = await report(`${period}&groupBy=month`);
    expect(byMonth.rows.map((r) => r.group.month)).toEqual([
      '2025-01',
      '2025-02',
      '2025-03',
      '2025-04',
      '2025-05',
      '2025-06',
    ]);
    for (const row of byMonth.rows)
      checkRow(
        row.measures,
        expectedOf(
          stories.filter((s) => s.requestedAt.startsWith(row.group.month!)),
          sent,
          calendar,
        ),
        `month ${row.group.month}`,
      );

    const byAgent = await report(`${period}&groupBy=deliveryAgent`);
    const small = byAgent.rows.filter((r) => stories.filter((s) => s.referrer === r.group.deliveryAgent).length < MIN);
    expect(small.length).toBeGreaterThan(3);
    for (const row of byAgent.rows)
      checkRow(
        row.measures,
        expectedOf(
          stories.filter((s) => s.referrer === row.group.deliveryAgent),
          sent,
          calendar,
        ),
        `agent ${row.group.deliveryAgent}`,
      );
    for (const row of small) {
      expect(Object.values(row.measures).filter((v) => typeof v === 'number')).toEqual([]);
      expect(JSON.stringify(row.measures)).not.toMatch(/:0[,}]/);
    }
  });

  it('serves the same figures as CSV, by format or by Accept', async () => {
    const json = await report(`${period}&groupBy=program`);
    const csv = await stack
      .http()
      .get(`/v1/reports/outcomes?${period}&groupBy=program&format=csv`)
      .set('authorization', `Bearer ${ministry}`)
      .expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(
      'attachment; filename="outcomes_2025-01-01_2025-06-30_by_program.csv"',
    );
    const [header, odsp, ow, total] = csv.text
      .trim()
      .split('\r\n')
      .map((l) => l.split(','));
    const column = (name: string) => header.indexOf(name);
    expect(ow[column('program')]).toBe('OW');
    expect(ow[column('referralsMade')]).toBe(String(json.rows[1].measures.referralsMade));
    expect(odsp[column('accepted')]).toBe(String(json.rows[0].measures.accepted));
    expect(total[column('level')]).toBe('total');
    expect(total[column('employedAt3Months')]).toBe(String(json.total.measures.employedAt3Months));
    expect(total[column('rejectedByReason.no-capacity')]).toBe(
      String(json.total.measures.rejectedByReason['no-capacity']),
    );
    const byAccept = await stack
      .http()
      .get(`/v1/reports/outcomes?${period}&groupBy=program`)
      .set('authorization', `Bearer ${ministry}`)
      .set('accept', 'text/csv')
      .expect(200);
    expect(byAccept.text).toBe(csv.text);
  });

  it('holds no personal data: no name, postal code, source id nor canonical id', async () => {
    const text = JSON.stringify(
      await report(`${period}&groupBy=deliveryAgent,catchment,region,stream,providerType,month,program`),
    );
    for (const s of stories.slice(0, 40)) {
      for (const value of [
        s.familyName,
        s.postalCode,
        s.memberId,
        s.clientReferenceNumber,
        s.referralId,
        s.sourceReferralId,
      ])
        expect(text).not.toContain(value);
    }
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
  });

  it('is for the ministry only: no token 401, other organizations and missing scope 403', async () => {
    const http = () => stack.http();
    const none = await http().get(`/v1/reports/outcomes?${period}`).expect(401);
    expect(none.headers['www-authenticate']).toContain('Bearer');
    expect(none.headers['content-type']).toContain('application/problem+json');
    for (const org of ['ow:toronto', 'odsp:central', 'eo:provider-7']) {
      const token = await mintDevToken({ org, scopes: ['reports:read'] }, config);
      await http().get(`/v1/reports/outcomes?${period}`).set('authorization', `Bearer ${token}`).expect(403);
    }
    const noScope = await mintDevToken({ org: 'ministry:mcss', scopes: ['audit:read'] }, config);
    const refused = await http()
      .get(`/v1/reports/outcomes?${period}`)
      .set('authorization', `Bearer ${noScope}`)
      .expect(403);
    expect(refused.body.detail).toContain('reports:read');
  });

  it('refuses a bad period, grouping or format with a problem naming the parameter', async () => {
    const http = () => stack.http().get('/v1/reports/outcomes').set('authorization', `Bearer ${ministry}`);
    const reversed = await http().query({ from: '2025-06-01', to: '2025-01-01' }).expect(400);
    expect(reversed.headers['content-type']).toContain('application/problem+json');
    expect(reversed.body.errors[0]).toMatchObject({ pointer: '/from', code: 'minimum' });
    expect((await http().query({ from: '2025-02-30' }).expect(400)).body.errors[0].pointer).toBe('/from');
    expect((await http().query({ groupBy: 'program,name' }).expect(400)).body.errors[0]).toMatchObject({
      pointer: '/groupBy',
      code: 'enum',
    });
    expect((await http().query({ format: 'xlsx' }).expect(400)).body.errors[0].pointer).toBe('/format');
    await http().set('accept', 'application/xml').expect(406);
  });

  it('serves the dashboard page, its assets and code labels itself, publicly, under a strict CSP', async () => {
    const http = () => stack.http();
    const page = await http().get('/v1/dashboard').expect(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
    // Every script, style and icon the page names is the gateway's own.
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)]
      .map((m) => m[1])
      .filter((u) => !u.startsWith('#'));
    expect(assets.sort()).toEqual([
      '/v1/dashboard/assets/dashboard.css',
      '/v1/dashboard/assets/dashboard.js',
      '/v1/dashboard/assets/favicon.svg',
    ]);
    expect((await http().get('/v1/dashboard/assets/dashboard.js').expect(200)).headers['content-type']).toBe(
      'application/javascript; charset=utf-8',
    );
    expect((await http().get('/v1/dashboard/assets/dashboard.css').expect(200)).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    );
    await http().get('/v1/dashboard/assets/..%2Fdashboard.controller.ts').expect(404);
    await http().get('/v1/dashboard/assets/dashboard.html').expect(404);
    const labels = (await http().get('/v1/dashboard/labels.json').expect(200)).body as Record<
      string,
      Record<string, { en: string; fr: string }>
    >;
    expect(labels.programs.ODSP).toEqual({
      en: 'Ontario Disability Support Program',
      fr: 'Programme ontarien de soutien aux personnes handicapées',
    });
    expect(Object.keys(labels.regions).sort()).toEqual(['central', 'eastern', 'northern', 'southwestern', 'toronto']);
    expect(Object.keys(labels.declineReasons)).toContain('no-capacity');
  });

  describe('the dashboard, in headless Chromium', () => {
    let browser: Browser | undefined;
    const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

    beforeAll(async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-quic',
          '--no-first-run',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
    });

    /** WCAG 2.0 A and AA violations axe-core finds on the page as it stands (injected through the debugger: the page's CSP allows no inline script). */
    async function axeViolations(page: Page): Promise<Array<{ id: string; help: string; nodes: string[] }>> {
      await page.evaluate(axeSource);
      // A string, run in the page: this file is type-checked without the DOM library.
      return page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } }).then((result) =>
        result.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) })))`);
    }

    it('renders the charts from live data, switches to French, and has no WCAG 2.0 A/AA violation', async () => {
      const page = await browser!.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-CA' });
      const elsewhere: string[] = [];
      const problems: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(stack.base) && !r.url().startsWith('data:') && !r.url().startsWith('blob:'))
          elsewhere.push(r.url());
      });
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));

      const response = await page.goto(`${stack.base}/v1/dashboard?from=2025-01-01&to=2025-06-30&groupBy=region`);
      expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
      // No token yet: no figures, and the page says what it needs.
      // Selectors, not waitForFunction: a string predicate that is not true at once is re-checked
      // with eval in the page, which the dashboard's CSP (script-src 'self') refuses.
      await page.locator('#status', { hasText: /\S/ }).waitFor();
      expect(await page.textContent('#status')).toContain('ministry access token');
      expect(await page.locator('#funnel-chart svg').count()).toBe(0);
      expect(await axeViolations(page)).toEqual([]);

      await page.fill('#token', ministry);
      await page.click('#token-form button[type=submit]');
      await page.waitForSelector('#funnel-chart svg rect.bar');
      const expected = await report(`${period}&groupBy=program`);
      const made = expected.total.measures.referralsMade as number;
      // The funnel's first bar is every referral made, drawn full width, with its count.
      const funnel = await page.locator('#funnel-table tbody tr').allTextContents();
      expect(funnel[0]).toContain(new Intl.NumberFormat('en-CA').format(made));
      expect(await page.locator('#funnel-chart rect.bar').first().getAttribute('width')).toBe('300.0');
      expect(await page.locator('#funnel-chart rect.bar').count()).toBeGreaterThanOrEqual(6);
      expect(await page.locator('#program-chart text.group-title').allTextContents()).toEqual([
        'Ontario Disability Support Program',
        'Ontario Works',
      ]);
      const ow = expected.rows[1].measures;
      const acceptance = new Intl.NumberFormat('en-CA', { style: 'percent', maximumFractionDigits: 0 }).format(
        (ow.accepted as number) / (ow.routed as number),
      );
      expect((await page.locator('#program-table tbody tr').nth(1).textContent())!).toContain(acceptance);
      expect(await page.locator('#region-chart text.group-title').count()).toBeGreaterThanOrEqual(5);
      expect(await page.locator('#detail-table thead th').first().textContent()).toBe('Region');
      expect(await page.textContent('#status')).toContain('Figures for');
      expect(await page.evaluate('window.location.hash')).toBe('');
      // The CSV download goes through the same token, as a file.
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
      expect(download.suggestedFilename()).toBe('outcomes_2025-01-01_2025-06-30_by_region.csv');
      expect(readFileSync(await download.path(), 'utf8').split('\r\n')[0]).toMatch(
        /^level,region,clients,referralsMade,/,
      );
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-en.png'), fullPage: true });
      expect(await axeViolations(page)).toEqual([]);

      await page.click('#language');
      await page.waitForSelector('html[lang="fr"]', { state: 'attached' });
      expect(await page.textContent('h1')).toBe('Résultats en emploi des aiguillages');
      expect(await page.title()).toContain('Résultats en emploi');
      expect(await page.locator('#program-chart text.group-title').allTextContents()).toEqual([
        'Programme ontarien de soutien aux personnes handicapées',
        'Ontario au travail',
      ]);
      expect(await page.textContent('#language')).toBe('English');
      expect(await page.getAttribute('#language', 'lang')).toBe('en');
      expect(await page.locator('#funnel-table tbody tr').first().textContent()).toContain(
        new Intl.NumberFormat('fr-CA').format(made),
      );
      // The period line is re-formatted in French too, not left with English month names.
      expect(await page.textContent('#status')).toMatch(/^Données du 1\S* janvier 2025 au 30 juin 2025/);
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-fr.png'), fullPage: true });
      expect(await axeViolations(page)).toEqual([]);

      expect(elsewhere).toEqual([]);
      expect(problems).toEqual([]);
      await page.close();
    }, 120_000);

    it('takes a token from the URL fragment, never sends it in a URL, and says so when the token may not read reports', async () => {
      const page = await browser!.newPage();
      const urls: string[] = [];
      page.on('request', (r) => urls.push(r.url()));
      await page.goto(`${stack.base}/v1/dashboard?from=2025-01-01&to=2025-06-30&lang=fr#token=${ministry}`);
      await page.waitForSelector('#region-chart svg rect.bar');
      expect(await page.evaluate('document.documentElement.lang')).toBe('fr');
      expect(await page.evaluate('window.location.hash')).toBe('');
      expect(urls.some((u) => u.includes(ministry))).toBe(false);

      const provider = await mintDevToken({ org: 'eo:provider-7', scopes: ['reports:read'] }, config);
      await page.fill('#token', provider);
      await page.click('#token-form button[type=submit]');
      await page.waitForSelector('#status.error');
      expect(await page.textContent('#status')).toContain('reports:read');
      expect(await page.locator('#funnel-chart svg').count()).toBe(0);
      await page.close();
    }, 60_000);
  });
});
