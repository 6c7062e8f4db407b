import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The `schemas/` folder: `$SCHEMAS_DIR` when set, otherwise the first `schemas/` folder holding
 * an `openapi.yaml` found walking up from this file — which finds the repository's `schemas/`
 * both from the TypeScript sources (`libs/contracts/src`, jest) and from the tsc build
 * (`dist/libs/contracts/src`), and a `schemas/` copied next to `dist/` in an image.
 */
export function schemasDir(): string {
  // Called on hot paths (code-table lookups per mapped record): the answer is found once per
  // SCHEMAS_DIR value instead of walking the file system each time.
  const override = process.env.SCHEMAS_DIR;
  const cached = found.get(override ?? '');
  if (cached !== undefined) return cached;
  const dir = locate(override);
  found.set(override ?? '', dir);
  return dir;
}

const found = new Map<string, string>();

/**
 * The folder of `schemas/` holding the snapshot of the last released contract (schemas and both
 * documents, with a `manifest.json`), which the evolution check compares the tree with
 * (schemas/README.md). It is not part of the live contract: the registry does not load it.
 */
export const RELEASED_SNAPSHOT_DIR = 'released';

function locate(override: string | undefined): string {
  if (override !== undefined && override !== '') {
    const dir = resolve(override);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new Error(`SCHEMAS_DIR=${override} is not a directory`);
    }
    return dir;
  }
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'schemas');
    if (existsSync(join(candidate, 'openapi.yaml'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `No schemas/ folder (with an openapi.yaml) found above ${__dirname}; set SCHEMAS_DIR to the schemas folder`,
      );
    }
    dir = parent;
  }
}

/**
 * The `data/` folder beside `schemas/`: data files the apps load (provider directory, lifecycle
 * rules, holidays), each validated against its schema under `schemas/`.
 */
export function dataDir(): string {
  return join(dirname(schemasDir()), 'data');
}
