import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// `npm run lint` as CI runs it: ESLint (typescript-eslint, type-checked) and Prettier over the
// whole repository, so a finding fails the suite and not only a developer's editor.
describe('lint', () => {
  it('passes ESLint and Prettier on the whole repository', () => {
    const root = join(__dirname, '..');
    const result = spawnSync('npm', ['run', '--silent', 'lint'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 300_000);
});
