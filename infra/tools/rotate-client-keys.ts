import { ConfigError, databaseSettings, loadConfig, personalDataSettings } from '@passerelle/config';
import { openDatabase, personalDataVault } from '@passerelle/persistence';

const settings = { ...databaseSettings, ...personalDataSettings };

/**
 * `npm run keys:rotate`: after PERSONAL_DATA_MASTER_KEY was rotated (the old key moved to
 * PERSONAL_DATA_PREVIOUS_KEYS), re-wraps every client's data key under the current master key,
 * so the previous keys can then be dropped. The data keys themselves do not change: nothing
 * sealed with them (every `personal` member on every topic) needs rewriting. Erased clients
 * (tombstones) have no key to re-wrap. Prints one JSON report line; exits 1 when a data key
 * unwraps with none of the configured keys (it is left as it is), 0 otherwise. Running it twice
 * is harmless: keys already under the current master key are left alone.
 */
async function main(): Promise<number> {
  const config = loadConfig(settings);
  if (config.personalDataMasterKey === undefined) {
    console.error('PERSONAL_DATA_MASTER_KEY is `clear`: there is no key to wrap with');
    return 2;
  }
  const database = openDatabase({ url: config.databaseUrl, schema: config.databaseSchema });
  try {
    const report = await personalDataVault(database.db, config).rotate();
    console.log(JSON.stringify(report));
    return report.unopened.length > 0 ? 1 : 0;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  },
);
