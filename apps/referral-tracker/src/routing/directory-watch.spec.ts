import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatchmentRouter } from './catchment-router';
import { defaultProviderDirectoryFile, loadProviderDirectory, type ProviderDirectory } from './provider-directory';
import { watchProviderDirectory } from './directory-watch';

describe('watchProviderDirectory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'directory-'));
  const file = join(dir, 'provider-directory.json');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const until = async (check: () => boolean, timeoutMs = 5_000): Promise<void> => {
    for (const deadline = Date.now() + timeoutMs; !check() && Date.now() < deadline;)
      await new Promise((r) => setTimeout(r, 50));
  };

  it('swaps in an edited directory, and keeps the old one when the edit breaks the schema', async () => {
    copyFileSync(defaultProviderDirectoryFile(), file);
    const router = new CatchmentRouter(loadProviderDirectory(file));
    const reloaded: number[] = [];
    const refused: Error[] = [];
    const stop = watchProviderDirectory(
      file,
      router,
      { reloaded: (n) => reloaded.push(n), refused: (e) => refused.push(e) },
      20,
    );
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as {
        providers: Array<Record<string, unknown>>;
      } & ProviderDirectory;
      const closing = data.providers[0].id;
      // watchFile takes its first stat asynchronously: an edit made before that (a busy machine's
      // thread pool) is its starting point, not a change. Edit again until the watcher saw one.
      for (let attempt = 0; attempt < 20 && reloaded.length === 0; attempt += 1) {
        writeFileSync(
          file,
          JSON.stringify({
            ...data,
            providers: data.providers.map((p) => (p.id === closing ? { ...p, status: 'inactive' } : p)),
          }),
        );
        await until(() => reloaded.length > 0, 1_000);
      }
      expect(router.provider(closing)?.status).toBe('inactive');

      writeFileSync(file, JSON.stringify({ ...data, providers: [{ id: 'not an id' }] }));
      await until(() => refused.length > 0);
      expect(refused[0].message).toContain('/providers/0');
      expect(router.provider(closing)?.status).toBe('inactive'); // still the last good directory
    } finally {
      stop();
    }
  });
});
