import { databaseSettings, kafkaSettings, processSettings, type ConfigOf } from '@passerelle/config';

/**
 * The settings every event-driven app reads (its own come on top, from `APP_ENV`; an app that
 * declares `personalData` reads the vault's `personalDataSettings` too).
 */
export const eventAppSettings = { ...kafkaSettings, ...databaseSettings, ...processSettings };
export type EventAppConfig = ConfigOf<typeof eventAppSettings>;
