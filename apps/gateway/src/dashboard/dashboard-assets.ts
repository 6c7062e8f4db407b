import { Injectable, NotFoundException } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A file the page loads: its bytes and media type. */
export interface DashboardAsset {
  body: Buffer;
  type: string;
}

/**
 * The parts of the page's script, in the order they run: each registers what it shares on one
 * namespace, which the later ones read. Served as the one `dashboard.js` the page names.
 */
const SCRIPT_PARTS = ['text.js', 'format.js', 'charts.js', 'figures.js', 'page.js'];

/**
 * The page and its files, read once from `assets/` beside this file (copied next to the build by
 * `npm run build`). Only the files named here are served: a name is looked up, never joined to a path.
 */
@Injectable()
export class DashboardAssets {
  private readonly dir = join(__dirname, 'assets');
  readonly page: Buffer = readFileSync(join(this.dir, 'dashboard.html'));
  private readonly assets = new Map<string, DashboardAsset>([
    ['dashboard.css', { body: this.read('dashboard.css'), type: 'text/css; charset=utf-8' }],
    ['dashboard.js', { body: this.script(), type: 'application/javascript; charset=utf-8' }],
    ['favicon.svg', { body: this.read('favicon.svg'), type: 'image/svg+xml' }],
  ]);

  /** The asset named `name`; a `404` for any other name. */
  asset(name: string): DashboardAsset {
    const asset = this.assets.get(name);
    if (asset === undefined) throw new NotFoundException(`no dashboard asset named ${name}`);
    return asset;
  }

  private read(name: string): Buffer {
    return readFileSync(join(this.dir, name));
  }

  private script(): Buffer {
    return Buffer.concat(SCRIPT_PARTS.map((part) => this.read(join('dashboard', part))));
  }
}
