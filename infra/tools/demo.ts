import { Logger } from '@nestjs/common';
import { ConfigError, authSettings, kafkaSettings, loadConfig } from '@passerelle/config';
import { mintDevToken } from '@passerelle/auth';
import { createKafka } from '@passerelle/messaging';
import { generateProvince, loadProvince } from './demo/province';
import { Gateway } from './demo/gateway-calls';
import { ProviderWebhookInbox } from './demo/provider-webhooks';
import { directoryProviders, seedProvince, type SeedProgress } from './demo/seed';
import { SeedError } from './demo/seed-error';

/**
 * `npm run demo -- [--referrals 2000] [--seed 2025] [--gateway http://127.0.0.1:3000]`: seeds a
 * running stack (`npm start`) with a province — every OW delivery agent and five ODSP offices
 * referring clients to the providers of the 15 catchments over the past eighteen months, with answers,
 * declines, no-shows, job starts, follow-ups and exits — through the gateway and the raw topics,
 * so the tracker builds its ledger as it would in production. Every provider subscribes a webhook
 * (a receiver here, on loopback) and is told, signed, of each referral routed to it. A progress bar on stderr; at the
 * end the year's figures and a link to the dashboard carrying a development ministry token.
 * Development only: tokens come from the local development key (AUTH_DEV_KEYS).
 */
const USAGE =
  'usage: npm run demo -- [--referrals N (default 2000)] [--seed N (default 2025)] [--gateway http://127.0.0.1:3000]';

interface Options {
  referrals: number;
  seed: number;
  gateway: string;
}

function parse(argv: string[]): Options | undefined {
  const options: Options = {
    referrals: 2000,
    seed: 2025,
    gateway: process.env.PASSERELLE_GATEWAY ?? 'http://127.0.0.1:3000',
  };
  for (let i = 0; i < argv.length; i += 1) {
    // `--flag=value` or `--flag value` (`.at()`: either may be missing).
    const parts = argv[i].split(/=(.*)/s, 2);
    const flag = parts[0];
    const value = parts.at(1) ?? argv.at((i += 1));
    if (value === undefined) return undefined;
    if (flag === '--referrals' && /^\d+$/.test(value) && Number(value) >= 20 && Number(value) <= 99_999)
      options.referrals = Number(value);
    else if (flag === '--seed' && /^\d+$/.test(value)) options.seed = Number(value);
    else if (flag === '--gateway') options.gateway = value.replace(/\/+$/, '');
    else return undefined;
  }
  return options;
}

/** One line redrawn in place on a terminal; a line per phase step otherwise (logs, CI). */
class ProgressBar {
  private readonly tty = process.stderr.isTTY;
  private last = '';
  private lastDraw = 0;

  show(p: SeedProgress): void {
    const width = 30;
    const ratio = p.total === 0 ? 1 : p.sent / p.total;
    const filled = Math.round(ratio * width);
    const waiting = p.backlog === undefined ? 'sending' : p.backlog === 0 ? 'applied' : `${p.backlog} events to apply`;
    const text = `phase ${p.phase}/3 ${p.label.padEnd(22)} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.sent}/${p.total} records, ${waiting}`;
    if (this.tty) {
      const now = Date.now();
      if (text === this.last || (now - this.lastDraw < 100 && p.backlog !== 0)) return;
      process.stderr.write(`\r${text.padEnd(110)}`);
      if (p.backlog === 0) process.stderr.write('\n');
      this.lastDraw = now;
    } else if (text !== this.last && (p.backlog === undefined ? p.sent === p.total : p.backlog === 0)) {
      process.stderr.write(`${text}\n`);
    }
    this.last = text;
  }
}

const torontoDay = (date: Date): string =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'America/Toronto',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(date);
const daysBefore = (day: string, n: number): string =>
  new Date(Date.parse(`${day}T12:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);

async function main(argv: string[]): Promise<number> {
  const options = parse(argv);
  if (!options) {
    console.error(USAGE);
    return 2;
  }
  // kafkajs logs through Nest's logger: keep its errors, not its start-up warnings, off the progress bar.
  Logger.overrideLogger(['error']);
  const kafkaConfig = loadConfig(kafkaSettings);
  const auth = loadConfig(authSettings);
  const ready = await fetch(`${options.gateway}/v1/health/ready`).then(
    (r) => r.ok,
    () => false,
  );
  if (!ready) {
    console.error(`demo: no ready gateway at ${options.gateway}: start the stack first (npm start), or pass --gateway`);
    return 1;
  }

  // Eighteen months of referrals up to a week ago: most are answered by now, and the earliest
  // jobs have reached their 12-month follow-up.
  const now = new Date();
  const today = torontoDay(now);
  const from = daysBefore(today, 548);
  const to = daysBefore(today, 7);
  const stories = generateProvince(loadProvince(), { referrals: options.referrals, seed: options.seed, from, to, now });
  console.error(
    `demo: ${stories.length} referrals from ${from} to ${to} (seed ${options.seed}), through ${options.gateway} and Kafka ${kafkaConfig.kafkaBrokers.join(',')}`,
  );

  const kafka = createKafka({ brokers: kafkaConfig.kafkaBrokers, clientId: 'passerelle-demo' });
  const bar = new ProgressBar();
  const started = Date.now();
  // Providers are told of their new referrals by signed webhook, besides reading their inbox.
  const webhooks = new ProviderWebhookInbox(new Gateway(options.gateway));
  await webhooks.open(directoryProviders(), (org) =>
    mintDevToken({ org, scopes: ['webhooks:write', 'webhooks:read'] }, auth),
  );
  const { result, told } = await seedProvince(
    stories,
    {
      kafka,
      topicPrefix: kafkaConfig.topicPrefix,
      gateway: options.gateway,
      token: (org, scopes) => mintDevToken({ org, scopes }, auth),
    },
    (p) => bar.show(p),
  )
    .then(async (seeded) => ({ result: seeded, told: await webhooks.awaitAll(seeded.routedTo, 60_000) }))
    .finally(() => webhooks.close());
  const seconds = Math.round((Date.now() - started) / 1000);
  console.error(
    `demo: sent ${result.owCaseRecords.length} OW case records, ${result.odspRecords.length} ODSP records, ${result.eoRecords.length} EO service records in ${seconds} s; ` +
      `${result.routedTo.size} referrals routed; ${result.deadLettered} records dead-lettered`,
  );
  console.error(
    `demo: providers were told of ${told} of the ${result.routedTo.size} routed referrals by signed webhook` +
      (webhooks.refused > 0 ? `; ${webhooks.refused} deliveries failed verification` : ''),
  );
  const allTold = told === result.routedTo.size && webhooks.refused === 0;

  const ministry = await mintDevToken(
    { org: 'ministry:mcss', scopes: ['reports:read'], ttlSeconds: 8 * 3600, subject: 'demo-analyst' },
    auth,
  );
  const report = (await (
    await fetch(`${options.gateway}/v1/reports/outcomes?from=${from}&to=${today}&groupBy=program`, {
      headers: { authorization: `Bearer ${ministry}` },
    })
  ).json()) as {
    rows: Array<{ group: { program: string | null }; measures: Record<string, unknown> }>;
    total: { measures: Record<string, unknown> };
  };
  const shown = [
    'referralsMade',
    'routed',
    'accepted',
    'rejected',
    'medianBusinessDaysToAccept',
    'inService',
    'completed',
    'employed',
    'employedAt3Months',
    'employedAt12Months',
    'exitsToEmployment',
    'duplicateSupports',
  ];
  const columns = [...report.rows.map((r) => r.group.program ?? '?'), 'total'];
  const lines = [
    ['', ...columns],
    ...shown.map((m) => [m, ...report.rows.map((r) => String(r.measures[m])), String(report.total.measures[m])]),
  ];
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  console.log(`\nOutcomes of the referrals made from ${from} to ${today}:`);
  for (const line of lines)
    console.log(line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
  // The token rides in the fragment, which browsers never send to a server; the page moves it to
  // its tab's storage and removes it from the address bar.
  console.log(
    `\nDashboard (development token for ministry:mcss, valid 8 hours):\n${options.gateway}/v1/dashboard?from=${from}&to=${today}#token=${ministry}`,
  );
  return result.deadLettered === 0 && allTold ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof ConfigError || error instanceof SeedError
        ? `demo: ${error.message}`
        : `demo: ${(error as Error).stack ?? String(error)}`,
    );
    process.exit(1);
  },
);
