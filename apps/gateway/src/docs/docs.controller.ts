import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { loadOpenApiDocument, type OpenApiDocument } from '@passerelle/contracts';
import { Public } from '../auth/access';
import { SwaggerUiAssets } from './swagger-ui-assets';

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

/** `GET /v1/docs`: Swagger UI over the contract, `openapi.yaml`, all served from here. */
@Public()
@Controller('docs')
export class DocsController {
  private readonly document: OpenApiDocument = loadOpenApiDocument();

  constructor(private readonly assets: SwaggerUiAssets) {}

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
    const { body, type } = this.assets.asset(name);
    void reply.type(type).header('cache-control', 'public, max-age=3600');
    return body;
  }
}
