import { unwatchFile, watchFile } from 'node:fs';
import type { CatchmentRouter } from './catchment-router';
import { loadProviderDirectory } from './provider-directory';

export interface DirectoryWatchEvents {
  reloaded?: (providers: number) => void;
  /** The new file is unreadable or breaks its schema: routing goes on with the directory it had. */
  refused?: (error: Error) => void;
}

/**
 * Keeps the router on the directory file as it is edited at run time (a provider opens, closes,
 * changes catchment or capacity): each change is loaded and validated, then swapped in whole.
 * Returns the function that stops watching.
 */
export function watchProviderDirectory(
  file: string,
  router: CatchmentRouter,
  events: DirectoryWatchEvents = {},
  intervalMs = 2_000,
): () => void {
  const listener = (): void => {
    try {
      const directory = loadProviderDirectory(file);
      router.replaceDirectory(directory);
      events.reloaded?.(directory.providers.length);
    } catch (error) {
      events.refused?.(error as Error);
    }
  };
  watchFile(file, { interval: intervalMs, persistent: false }, listener);
  return () => unwatchFile(file, listener);
}
