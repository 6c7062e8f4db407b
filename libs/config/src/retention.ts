import { ConfigError, loadConfig, type ConfigOf } from './config';
import { retentionSettings, topicRetentionSettings } from './settings';

export type RetentionConfig = ConfigOf<typeof retentionSettings>;

/**
 * The retention settings, each checked alone and then against each other: a consumer must
 * remember an event id as long as any topic can still deliver that event again, else a replay
 * applies it twice.
 */
export function loadRetentionConfig(env: Record<string, string | undefined> = process.env): RetentionConfig {
  const config = loadConfig(retentionSettings, env);
  const longest = (Object.keys(topicRetentionSettings) as (keyof typeof topicRetentionSettings)[]).reduce((a, b) =>
    config[a] >= config[b] ? a : b,
  );
  if (config.inboxDays <= config[longest]) {
    throw new ConfigError([
      `${retentionSettings.inboxDays.name}: ${config.inboxDays} days must exceed ${topicRetentionSettings[longest].name} (${config[longest]} days): an event still on a topic would be applied again`,
    ]);
  }
  return config;
}
