import { loadConfig, ingestSettings, type ConfigOf } from '@passerelle/config';

export type IngestConfig = ConfigOf<typeof ingestSettings>;

export function loadIngestConfig(env: Record<string, string | undefined> = process.env): IngestConfig {
  return loadConfig(ingestSettings, env);
}
