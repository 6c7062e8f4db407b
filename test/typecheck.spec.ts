import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// Jest compiles with SWC, which strips types without checking them: this is where `strict`
// TypeScript is enforced for every file of the repository.
describe('TypeScript', () => {
  it('type-checks the whole repository under strict settings', () => {
    const root = join(__dirname, '..');
    const result = spawnSync(
      process.execPath,
      [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--noEmit'],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
