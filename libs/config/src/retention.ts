import { ConfigError, loadConfig, type ConfigOf } from './config';
import { retentionSettings, topicRetentionSettings } from './settings';

export type RetentionConfig = ConfigOf<typeof retentionSettings>;

/**
 * The retention settings, each checked alone and then against each other: a consumer must
 * remember an event id as long as any topic can still deliver that event again, else a replay
 * applies it twice; and a client's data key must outlive every record it sealed that a topic
 * still holds (a dead letter waiting for its replay), else that record no longer opens.
 */
export function loadRetentionConfig(env: Record<string, string | undefined> = process.env): RetentionConfig {
  const config = loadConfig(retentionSettings, env);
  const longest = (Object.keys(topicRetentionSettings) as (keyof typeof topicRetentionSettings)[]).reduce((a, b) =>
    config[a] >= config[b] ? a : b,
  );
  const topic = `${topicRetentionSettings[longest].name} (${config[longest]} days)`;
  const problems: string[] = [];
  if (config.inboxDays <= config[longest])
    problems.push(
      `${retentionSettings.inboxDays.name}: ${config.inboxDays} days must exceed ${topic}: an event still on a topic would be applied again`,
    );
  if (config.clientKeyDays <= config[longest])
    problems.push(
      `${retentionSettings.clientKeyDays.name}: ${config.clientKeyDays} days must exceed ${topic}: a record still on a topic would no longer open`,
    );
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
