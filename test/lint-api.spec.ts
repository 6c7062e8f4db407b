import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// `npm run lint:api` as CI runs it: Spectral with the OpenAPI and OWASP API Security rulesets
// (and the exceptions of schemas/.spectral.yaml) on schemas/openapi.yaml and every schema file it
// references. An error fails the suite; its output says which rule, where.
describe('lint:api', () => {
  it('finds no error in the OpenAPI document', () => {
    const root = join(__dirname, '..');
    const result = spawnSync('npm', ['run', '--silent', 'lint:api'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(result.status === 0 ? '' : result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 120_000);
});
