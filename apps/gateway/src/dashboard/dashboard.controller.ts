import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/access';
import { DashboardAssets } from './dashboard-assets';
import { DashboardLabels, type Labels } from './dashboard-labels';

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

/**
 * The ministry dashboard (`GET /v1/dashboard`): a static page, its script and styles, and the code
 * labels it needs. Public because it holds no data: the page reads `GET /v1/reports/outcomes`
 * with the ministry token the analyst gives it, and shows nothing without one.
 */
@Public()
@Controller('dashboard')
export class DashboardController {
  constructor(
    private readonly assets: DashboardAssets,
    private readonly labels: DashboardLabels,
  ) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-cache')
  index(@Res({ passthrough: true }) reply: FastifyReply): Buffer {
    void reply.headers(SECURITY_HEADERS);
    return this.assets.page;
  }

  @Get('labels.json')
  @Header('cache-control', 'public, max-age=300')
  codeLabels(): Labels {
    return this.labels.all;
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    const { body, type } = this.assets.asset(name);
    void reply.type(type).headers({ ...SECURITY_HEADERS, 'cache-control': 'no-cache' });
    return body;
  }
}
