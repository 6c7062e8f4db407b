import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { statusTitle } from './problem';
import { preferredLanguage, ProblemTranslator } from './problem-language';

describe('preferredLanguage', () => {
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['fr', 'fr'],
    ['fr-CA', 'fr'],
    ['FR-ca, en;q=0.8', 'fr'],
    ['en-CA,fr;q=0.9', 'en'],
    ['en;q=0.5, fr;q=0.9', 'fr'],
    ['de, fr;q=0.1', 'fr'],
    ['fr;q=0, en', 'en'],
    ['*', 'en'],
    ['es, de', 'en'],
    ['fr;q=abc', 'en'],
  ])('%p → %p', (header, expected) => {
    expect(preferredLanguage(header)).toBe(expected);
  });
});

describe('ProblemTranslator', () => {
  const translator = new ProblemTranslator();

  it('has an English and a French title for every status the gateway answers with', () => {
    for (const status of [400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503]) {
      expect(translator.title(status, 'fr', 'none')).not.toBe('none');
      // English titles are the statuses' standard phrases, never the generic fallback.
      expect(statusTitle(status)).not.toMatch(/^(Client|Server) error$/);
      expect(translator.title(status, 'en', statusTitle(status))).toBe(statusTitle(status));
    }
  });

  it('translates a text with its variable parts carried over, and leaves English alone', () => {
    expect(translator.text('must NOT have more than 2000 characters', 'fr')).toBe(
      'doit compter au plus 2000 caractères',
    );
    expect(translator.text('ow:toronto is over its request rate: retry in 3 s', 'fr')).toBe(
      'ow:toronto dépasse son débit de requêtes : réessayez dans 3 s',
    );
    expect(translator.text('must be one of: "a", "b"', 'fr')).toBe('doit être l\'une des valeurs : "a", "b"');
    expect(translator.text('no such referral', 'en')).toBe('no such referral');
    expect(translator.text('something nobody wrote down', 'fr')).toBeUndefined();
  });

  it('knows every fixed detail and field message the gateway writes', () => {
    const root = join(__dirname, '..');
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) =>
        statSync(join(dir, name)).isDirectory()
          ? files(join(dir, name))
          : name.endsWith('.ts') && !name.endsWith('.spec.ts')
            ? [join(dir, name)]
            : [],
      );
    const literals = files(root).flatMap((file) =>
      [
        ...readFileSync(file, 'utf8').matchAll(
          /(?:problem\(\d+, '[^']+', |detail: |message: |Error\([A-Za-z]+\.[A-Za-z]+, )'([^'\n]+)'/g,
        ),
      ].map((m) => ({ file: file.slice(root.length), text: m[1] })),
    );
    expect(literals.length).toBeGreaterThan(15);
    const unknown = literals.filter((l) => translator.text(l.text, 'fr') === undefined);
    expect(unknown).toEqual([]);
  });
});
