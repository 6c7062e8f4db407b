import {
  databaseSettings,
  kafkaSettings,
  personalDataSettings,
  processSettings,
  type ConfigOf,
} from '@passerelle/config';

/**
 * The settings every event-driven app reads (its own come on top, from `APP_ENV`). Every one
 * handles `personal` members, so each gets the vault's settings.
 */
export const eventAppSettings = { ...kafkaSettings, ...databaseSettings, ...processSettings, ...personalDataSettings };
export type EventAppConfig = ConfigOf<typeof eventAppSettings>;
