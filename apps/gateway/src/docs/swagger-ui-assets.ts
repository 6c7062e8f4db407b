import { Injectable, NotFoundException } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// Served by the gateway itself: no CDN, so the docs work on a closed network.
const MEDIA_TYPES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** A file of Swagger UI: its bytes and media type. */
export interface SwaggerUiAsset {
  body: Buffer;
  type: string;
}

/** Swagger UI's files from the `swagger-ui-dist` package, each read on first use and kept. */
@Injectable()
export class SwaggerUiAssets {
  private readonly dir = dirname(require.resolve('swagger-ui-dist/package.json'));
  private readonly read = new Map<string, Buffer>();

  /** The file named `name`; a `404` for a name not listed above (never joined to a path unchecked). */
  asset(name: string): SwaggerUiAsset {
    if (!Object.hasOwn(MEDIA_TYPES, name)) throw new NotFoundException(`no documentation asset named ${name}`);
    let body = this.read.get(name);
    if (body === undefined) {
      body = readFileSync(join(this.dir, name));
      this.read.set(name, body);
    }
    return { body, type: MEDIA_TYPES[name] };
  }
}
