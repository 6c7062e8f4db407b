#!/usr/bin/env node
// Copies the static files the compiled apps read beside their code (every `assets/` folder under
// apps/*/src, e.g. the dashboard's page, script and styles) to the same place under dist/, which
// tsc does not do. Part of `npm run build`.
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function assetDirs(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!statSync(path).isDirectory()) continue;
    if (name === 'assets') found.push(path);
    else found.push(...assetDirs(path));
  }
  return found;
}

const apps = join(root, 'apps');
for (const source of existsSync(apps) ? assetDirs(apps) : []) {
  cpSync(source, join(root, 'dist', relative(root, source)), { recursive: true });
}
