import { createReadStream, statSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { extname } from 'node:path';

/**
 * `npm run ingest -- <file> [--gateway http://127.0.0.1:3000]`: streams a delivery agent's export
 * of OW case records (`.ndjson` / `.jsonl`, or `.csv`) to `POST /v1/ow/case-records:batch` (an
 * ODSP office's employment records to `POST /v1/odsp/employment-records:batch`: the token's
 * organization chooses), with
 * a progress bar on stderr (bytes sent, lines answered), prints every line that was not accepted
 * and the summary. Exit code 0 when every record was accepted, 1 otherwise, 2 on a usage error.
 */
const MEDIA_TYPES: Record<string, string> = {
  '.ndjson': 'application/x-ndjson',
  '.jsonl': 'application/x-ndjson',
  '.csv': 'text/csv; charset=utf-8',
};
const USAGE =
  'usage: npm run ingest -- <file.ndjson|file.jsonl|file.csv> [--gateway http://127.0.0.1:3000] [--token <jwt>] (or PASSERELLE_TOKEN)';

interface Summary {
  lines: number;
  accepted: number;
  rejected: number;
  failed: number;
  failure?: string;
}
interface ResultLine {
  line?: number;
  status?: 'accepted' | 'rejected' | 'failed';
  errors?: { pointer: string; code: string; message: string }[];
  reason?: string;
  summary?: Summary;
}

function parseArgs(argv: string[]): { file: string; gateway: string; token: string } | undefined {
  let file: string | undefined;
  let gateway = process.env.PASSERELLE_GATEWAY ?? 'http://127.0.0.1:3000';
  // The delivery agent's token (`npm run token -- --org ow:<agent> --scope case-records:write` in development).
  let token = process.env.PASSERELLE_TOKEN ?? '';
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const next = argv.at(i + 1);
    if (arg === '--token' && next !== undefined) token = argv[(i += 1)];
    else if (arg.startsWith('--token=')) token = arg.slice('--token='.length);
    else if (arg === '--gateway' && next !== undefined) gateway = argv[(i += 1)];
    else if (arg.startsWith('--gateway=')) gateway = arg.slice('--gateway='.length);
    else if (!arg.startsWith('--') && file === undefined) file = arg;
    else return undefined;
  }
  return file === undefined ? undefined : { file, gateway, token };
}

class Progress {
  private readonly tty = process.stderr.isTTY;
  private sent = 0;
  private answered = 0;
  private lastDraw = 0;
  private lastStep = -1;

  constructor(private readonly total: number) {}

  bytes(n: number): void {
    this.sent += n;
    this.draw();
  }

  line(): void {
    this.answered += 1;
    this.draw();
  }

  done(): void {
    this.draw(true);
    if (this.tty) process.stderr.write('\n');
  }

  private draw(force = false): void {
    const ratio = this.total === 0 ? 1 : Math.min(1, this.sent / this.total);
    const text = `${(ratio * 100).toFixed(0).padStart(3)}% ${mb(this.sent)}/${mb(this.total)} MB sent, ${this.answered} lines answered`;
    if (this.tty) {
      const now = Date.now();
      if (!force && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      const width = 30;
      const filled = Math.round(ratio * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}`);
    } else {
      // Logs, CI: one line per tenth of the file.
      const step = Math.floor(ratio * 10);
      if (step === this.lastStep && !force) return;
      this.lastStep = step;
      process.stderr.write(`${text}\n`);
    }
  }
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

function describe(result: ResultLine): string {
  if (result.status === 'failed') return `line ${result.line}: failed: ${result.reason}`;
  const reasons = (result.errors ?? []).map(
    (e) => `${e.pointer === '' ? '(line)' : e.pointer} [${e.code}] ${e.message}`,
  );
  return `line ${result.line}: rejected: ${reasons.join('; ')}`;
}

/** The bulk endpoint of the token's organization: ODSP offices (`odsp:`) sync their own records. */
function bulkPathOf(token: string): string {
  let org: unknown;
  try {
    org = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { org?: unknown }).org;
  } catch {
    // Not a JWT the tool can read: the gateway answers 401 at the OW endpoint.
  }
  return typeof org === 'string' && org.startsWith('odsp:')
    ? '/v1/odsp/employment-records:batch'
    : '/v1/ow/case-records:batch';
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (!args) {
    console.error(USAGE);
    return 2;
  }
  const mediaType = MEDIA_TYPES[extname(args.file).toLowerCase()];
  if (!mediaType) {
    console.error(
      `${args.file}: the format comes from the extension, one of ${Object.keys(MEDIA_TYPES).join(', ')}\n${USAGE}`,
    );
    return 2;
  }
  let size: number;
  try {
    size = statSync(args.file).size;
  } catch (error) {
    console.error(`${args.file}: ${(error as Error).message}`);
    return 2;
  }
  const url = new URL(bulkPathOf(args.token), args.gateway);
  const progress = new Progress(size);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;

  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': mediaType,
          'content-length': String(size),
          ...(args.token !== '' && { authorization: `Bearer ${args.token}` }),
        },
      },
      resolve,
    );
    req.on('error', reject);
    const file = createReadStream(args.file);
    file.on('data', (chunk) => progress.bytes(chunk.length));
    file.on('error', (error) => req.destroy(error));
    file.pipe(req);
  });

  if (response.statusCode !== 200) {
    let body = '';
    for await (const chunk of response) body += String(chunk);
    progress.done();
    let detail = body;
    try {
      const problem = JSON.parse(body) as { title?: string; detail?: string };
      detail = [problem.title, problem.detail].filter(Boolean).join(': ');
    } catch {
      // not problem+json: show it as it came
    }
    console.error(`${url.href} answered ${response.statusCode}: ${detail}`);
    return 1;
  }

  let summary: Summary | undefined;
  let pending = '';
  const handle = (text: string): void => {
    if (text.trim() === '') return;
    const result = JSON.parse(text) as ResultLine;
    if (result.summary) {
      summary = result.summary;
      return;
    }
    progress.line();
    if (result.status !== 'accepted') {
      if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      console.log(describe(result));
    }
  };
  try {
    for await (const chunk of response) {
      pending += String(chunk);
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(handle);
    }
    handle(pending);
  } catch (error) {
    console.error(`the answer broke off: ${(error as Error).message}`);
  }
  progress.done();
  if (!summary) {
    console.log('no summary: the answer is incomplete; send the file again (records already stored are deduplicated)');
    return 1;
  }
  console.log(
    `summary: ${summary.lines} lines, ${summary.accepted} accepted, ${summary.rejected} rejected, ${summary.failed} failed` +
      (summary.failure ? ` (${summary.failure})` : ''),
  );
  return summary.rejected === 0 && summary.failed === 0 && summary.accepted === summary.lines ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
