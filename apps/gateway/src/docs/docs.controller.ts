import { Public } from '../auth/access';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { loadOpenApiDocument, type OpenApiDocument } from '@passerelle/contracts';

// Served by the gateway itself: no CDN, so the docs work on a closed network.
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Passerelle API</title>
  <link rel="stylesheet" href="/v1/docs/assets/swagger-ui.css">
  <link rel="icon" href="/v1/docs/assets/favicon-32x32.png">
</head>
<body>
  <main id="swagger-ui"></main>
  <script src="/v1/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/v1/docs/assets/swagger-ui-standalone-preset.js"></script>
  <script src="/v1/docs/init.js"></script>
</body>
</html>`;

const INIT = `window.ui = SwaggerUIBundle({
  url: '/v1/docs/openapi.json',
  dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
  validatorUrl: null
});`;

@Public()
@Controller('docs')
export class DocsController {
  private readonly document: OpenApiDocument = loadOpenApiDocument();
  private readonly assetDir = dirname(require.resolve('swagger-ui-dist/package.json'));
  private readonly assets = new Map<string, Buffer>();

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    return PAGE;
  }

  @Get('init.js')
  @Header('Content-Type', 'application/javascript; charset=utf-8')
  init(): string {
    return INIT;
  }

  /** openapi.yaml with every schema file inlined: one document Swagger UI renders offline. */
  @Get('openapi.json')
  openapi(): OpenApiDocument {
    return this.document;
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    if (!Object.hasOwn(ASSETS, name)) throw new NotFoundException(`no documentation asset named ${name}`);
    void reply.type(ASSETS[name]).header('cache-control', 'public, max-age=3600');
    let body = this.assets.get(name);
    if (!body) {
      body = readFileSync(join(this.assetDir, name));
      this.assets.set(name, body);
    }
    return body;
  }
}
