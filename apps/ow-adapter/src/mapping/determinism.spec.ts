import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The mappings must be pure: same record, same events, same ids. Reading the clock or drawing
 * random numbers in mapping code would break redelivery deduplication silently, so the sources
 * are checked for it (specs and their support file may use dates to build inputs).
 */
describe('mapping sources', () => {
  const sources = readdirSync(__dirname).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.spec.ts') && !f.includes('.spec-'),
  );

  it('are there to check', () =>
    expect(sources).toEqual(
      expect.arrayContaining([
        'ow-case-record.mapping.ts',
        'odsp-employment-record.mapping.ts',
        'source-record.mapping.ts',
        'participation.mapping.ts',
        'outcomes.mapping.ts',
        'source-view.ts',
      ]),
    ));

  it.each(sources)('%s reads no clock, no randomness, no I/O', (file) => {
    const code = readFileSync(join(__dirname, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    expect(code).not.toMatch(/Date\.now\s*\(/);
    expect(code).not.toMatch(/new Date\s*\(\s*\)/);
    expect(code).not.toMatch(/\bDate\s*\(\s*\)/);
    expect(code).not.toMatch(
      /Math\.random|randomUUID|randomBytes|crypto\.getRandomValues|performance\.now|process\.hrtime/,
    );
    expect(code).not.toMatch(/from 'node:(fs|net|http|https|child_process)'|require\(/);
  });
});
