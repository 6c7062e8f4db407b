import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// openapi-typescript is loaded by scripts/generate-types.mjs (ESM) in a child process: the check
// is the same one `node scripts/generate-types.mjs --check` runs in CI.
const ROOT = join(__dirname, '..', '..', '..');
const GENERATED = join(__dirname, 'generated', 'openapi.ts');
const GENERATED_ASYNCAPI = join(__dirname, 'generated', 'asyncapi.ts');

function runGenerator(...args: string[]) {
  return spawnSync(process.execPath, [join(ROOT, 'scripts', 'generate-types.mjs'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('generated types (libs/contracts/src/generated/openapi.ts and asyncapi.ts)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'contracts-types-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('match a fresh generation from schemas/openapi.yaml and asyncapi.yaml (run `npm run generate:types` if this fails)', () => {
    const run = runGenerator('--check');
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).toContain('openapi.ts is up to date');
    expect(run.stdout).toContain('asyncapi.ts is up to date');
  }, 60_000);

  it('are reported stale when they differ from a fresh generation', () => {
    const copy = join(dir, 'openapi.ts');
    writeFileSync(copy, readFileSync(GENERATED, 'utf8').replace('status: "ok" | "error";', 'status: "ok";'));
    const run = runGenerator('--check', '--output', copy, '--asyncapi-output', GENERATED_ASYNCAPI);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /is stale \(first difference at line \d+: committed ".*status: \\"ok\\";", expected ".*status: \\"ok\\" \| \\"error\\";"\): run `npm run generate:types`/,
    );
  }, 60_000);

  it('report a stale topic list or event type of asyncapi.yaml', () => {
    const copy = join(dir, 'asyncapi.ts');
    writeFileSync(
      copy,
      readFileSync(GENERATED_ASYNCAPI, 'utf8').replace(
        "'ca.on.passerelle.referral.accepted',",
        "'ca.on.passerelle.referral.acepted',",
      ),
    );
    const run = runGenerator('--check', '--asyncapi-output', copy);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /asyncapi\.ts is stale \(first difference at line \d+: committed ".*referral\.acepted',", expected ".*referral\.accepted',"\)/,
    );
  }, 60_000);

  it('are reported missing, then written by a generation to --output and --asyncapi-output', () => {
    const target = join(dir, 'nested', 'fresh.ts');
    const asyncApiTarget = join(dir, 'nested', 'fresh-asyncapi.ts');
    const outputs = ['--output', target, '--asyncapi-output', asyncApiTarget];
    expect(runGenerator('--check', ...outputs).stderr).toMatch(/fresh\.ts is missing[^]*fresh-asyncapi\.ts is missing/);
    expect(runGenerator(...outputs).status).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe(readFileSync(GENERATED, 'utf8'));
    expect(readFileSync(asyncApiTarget, 'utf8')).toBe(readFileSync(GENERATED_ASYNCAPI, 'utf8'));
    for (const file of [target, asyncApiTarget]) {
      expect(readFileSync(file, 'utf8').startsWith('/**\n * GENERATED FILE - DO NOT EDIT.')).toBe(true);
    }
  }, 60_000);
});
