import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as config from '@passerelle/config';

// The README's configuration table is what operators read: it must name every setting the
// apps accept, with the default the code really uses.
describe('README configuration table', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const settings = Object.values(config)
    .filter((group): group is Record<string, { name: string; default?: string }> => typeof group === 'object' && group !== null)
    .flatMap((group) => Object.values(group))
    .filter((s): s is { name: string; default?: string } => typeof s === 'object' && s !== null && 'name' in s && 'parse' in s);

  it('finds the settings to check', () => {
    expect(settings.length).toBeGreaterThanOrEqual(12);
  });

  it.each(settings.map((s) => [s.name, s] as const))('documents %s with its default', (name, s) => {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
    expect(row).toBeDefined();
    const shown = row!.split('|')[2].trim();
    expect(shown).toBe(s.default ? `\`${s.default}\`` : '(empty)');
  });

  it('keeps the quick start to the two commands', () => {
    const quickStart = readme.split('## Quick start')[1].split('\n## ')[0];
    const commands = quickStart.split('```sh')[1].split('```')[0].trim().split('\n');
    expect(commands.map((c) => c.split('#')[0].trim())).toEqual(['npm start', 'npm test']);
  });
});
