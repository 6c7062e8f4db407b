import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// openapi-typescript is loaded by scripts/generate-types.mjs (ESM) in a child process: the check
// is the same one `node scripts/generate-types.mjs --check` runs in CI.
const ROOT = join(__dirname, '..', '..', '..');
const GENERATED = join(__dirname, 'generated', 'openapi.ts');

function runGenerator(...args: string[]) {
  return spawnSync(process.execPath, [join(ROOT, 'scripts', 'generate-types.mjs'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('generated types (libs/contracts/src/generated/openapi.ts)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'contracts-types-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('match a fresh generation from schemas/openapi.yaml (run `npm run generate:types` if this fails)', () => {
    const run = runGenerator('--check');
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).toContain('is up to date');
  }, 60_000);

  it('are reported stale when they differ from a fresh generation', () => {
    const copy = join(dir, 'openapi.ts');
    writeFileSync(copy, readFileSync(GENERATED, 'utf8').replace('status: "ok" | "error";', 'status: "ok";'));
    const run = runGenerator('--check', '--output', copy);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /is stale \(first difference at line \d+: committed ".*status: \\"ok\\";", expected ".*status: \\"ok\\" \| \\"error\\";"\): run `npm run generate:types`/,
    );
  }, 60_000);

  it('are reported missing, then written by a generation to --output', () => {
    const target = join(dir, 'nested', 'fresh.ts');
    expect(runGenerator('--check', '--output', target).stderr).toMatch(/is missing/);
    expect(runGenerator('--output', target).status).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe(readFileSync(GENERATED, 'utf8'));
    expect(readFileSync(target, 'utf8').startsWith('/**\n * GENERATED FILE - DO NOT EDIT.')).toBe(true);
  }, 60_000);
});
