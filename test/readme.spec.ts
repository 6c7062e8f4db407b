import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as config from '@passerelle/config';

// The README's configuration table is what operators read: it must name every setting the
// apps accept, with the default the code really uses.
describe('README configuration table', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  interface DocumentedSetting {
    name: string;
    default?: string;
  }
  const isSetting = (value: unknown): value is DocumentedSetting =>
    typeof value === 'object' && value !== null && 'name' in value && 'parse' in value;
  // Every exported group of settings (kafkaSettings, databaseSettings, ...), whatever its name.
  const settings = Object.values(config as Record<string, unknown>)
    .filter((group): group is Record<string, unknown> => typeof group === 'object' && group !== null)
    .flatMap((group) => Object.values(group))
    .filter(isSetting);

  it('finds the settings to check', () => {
    expect(settings.length).toBeGreaterThanOrEqual(12);
  });

  it.each(settings.map((s) => [s.name, s] as const))('documents %s with its default (or as required)', (name, s) => {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
    expect(row).toBeDefined();
    const shown = row!.split('|')[2].trim();
    expect(shown).toBe(s.default === undefined ? '(required)' : s.default ? `\`${s.default}\`` : '(empty)');
  });

  it('keeps the quick start to the two commands', () => {
    const quickStart = readme.split('## Quick start')[1].split('\n## ')[0];
    const commands = quickStart.split('```sh')[1].split('```')[0].trim().split('\n');
    expect(commands.map((c) => c.split('#')[0].trim())).toEqual(['npm start', 'npm test']);
  });
});
