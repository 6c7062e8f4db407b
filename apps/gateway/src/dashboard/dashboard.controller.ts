import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeTable, type CodeTableName } from '@passerelle/codes';
import { dataDir, schemaIdForPath, schemaRegistry } from '@passerelle/contracts';
import { Public } from '../auth/access';

/** The page's files, served from `assets/` beside this file (copied next to the build by `npm run build`). */
const ASSETS: Record<string, string> = {
  'dashboard.css': 'text/css; charset=utf-8',
  'dashboard.js': 'application/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/**
 * Only our own files, no inline script or style, data from this origin only, never framed. The
 * page holds a bearer token in memory: nothing else may run in it.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Code tables whose labels the page shows, by the key it reads them under. */
const LABEL_TABLES: Record<string, CodeTableName> = {
  programs: 'programs',
  streams: 'streams',
  declineReasons: 'decline-reasons',
};

type Labels = Record<string, Record<string, { en: string; fr: string }>>;

interface RegionsFile {
  regions: Array<{ code: string; en: string; fr: string }>;
}

/** Bilingual labels of the codes the report uses: from the code tables and `data/regions.json`, the one place each lives. */
function loadLabels(): Labels {
  const labels: Labels = {};
  for (const [key, table] of Object.entries(LABEL_TABLES)) {
    labels[key] = Object.fromEntries(codeTable(table).entries.map((e) => [e.code, { en: e.en, fr: e.fr }]));
  }
  const regions = schemaRegistry().validate<RegionsFile>(
    schemaIdForPath('directory/regions.json'),
    JSON.parse(readFileSync(join(dataDir(), 'regions.json'), 'utf8')),
  );
  if (!regions.ok)
    throw new Error(
      `data/regions.json does not match its schema: ${regions.errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`,
    );
  labels.regions = Object.fromEntries(regions.value.regions.map((r) => [r.code, { en: r.en, fr: r.fr }]));
  return labels;
}

/**
 * The ministry dashboard (`GET /v1/dashboard`): a static page, its script and styles, and the code
 * labels it needs. Public because it holds no data: the page reads `GET /v1/reports/outcomes`
 * with the ministry token the analyst gives it, and shows nothing without one.
 */
@Public()
@Controller('dashboard')
export class DashboardController {
  private readonly dir = join(__dirname, 'assets');
  private readonly page = readFileSync(join(this.dir, 'dashboard.html'));
  private readonly assets = new Map(Object.keys(ASSETS).map((name) => [name, readFileSync(join(this.dir, name))]));
  private readonly labels = loadLabels();

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-cache')
  index(@Res({ passthrough: true }) reply: FastifyReply): Buffer {
    void reply.headers(SECURITY_HEADERS);
    return this.page;
  }

  @Get('labels.json')
  @Header('cache-control', 'public, max-age=300')
  codeLabels(): Labels {
    return this.labels;
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    const body = Object.hasOwn(ASSETS, name) ? this.assets.get(name) : undefined;
    if (body === undefined) throw new NotFoundException(`no dashboard asset named ${name}`);
    void reply.type(ASSETS[name]).headers({ ...SECURITY_HEADERS, 'cache-control': 'no-cache' });
    return body;
  }
}
