// `npm start` on a fresh clone: installs what is missing, builds, then runs the whole stack
// (infra/stack/run-stack.ts). Plain Node with no dependencies, because it runs before npm ci.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (command) => execSync(command, { cwd: root, stdio: 'inherit' });
const say = (line) => console.log(`[passerelle] ${line}`);

const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || statSync(join(root, 'package-lock.json')).mtimeMs > statSync(installed).mtimeMs) {
  say('installing dependencies (npm ci)…');
  run('npm ci --no-audit --no-fund');
}
say('building…');
run('npm run --silent build');

const { runStack } = await import(pathToFileURL(join(root, 'dist', 'infra', 'stack', 'run-stack.js')).href);
try {
  await runStack(process.argv.slice(2));
} catch (error) {
  console.error(`[passerelle] ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
