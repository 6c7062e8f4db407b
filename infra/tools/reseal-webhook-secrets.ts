import { ConfigError, databaseSettings, loadConfig, webhookDeliverySettings } from '@passerelle/config';
import { SecretSeal } from '@passerelle/crypto';
import { openDatabase } from '@passerelle/persistence';
import { WebhookSubscriptionRepository } from '../../apps/gateway/src/webhooks/webhook-subscription-repository';

const settings = {
  ...databaseSettings,
  webhookSecretKey: webhookDeliverySettings.webhookSecretKey,
  webhookSecretPreviousKeys: webhookDeliverySettings.webhookSecretPreviousKeys,
};

/**
 * `npm run webhooks:reseal`: after WEBHOOK_SECRET_KEY was rotated (the old key moved to
 * WEBHOOK_SECRET_PREVIOUS_KEYS) or first set, seals every stored webhook signing secret with the
 * current key, so the previous keys can then be dropped. Prints one JSON report line; exits 1
 * when a secret opens with none of the configured keys (it is left as it is), 0 otherwise.
 * Running it twice is harmless: secrets sealed with the current key are left alone.
 */
async function main(): Promise<number> {
  const config = loadConfig(settings);
  if (config.webhookSecretKey === undefined) {
    console.error('WEBHOOK_SECRET_KEY is empty: there is no key to seal with');
    return 2;
  }
  const database = openDatabase({ url: config.databaseUrl, schema: config.databaseSchema });
  try {
    const report = await new WebhookSubscriptionRepository(
      database,
      new SecretSeal(config.webhookSecretKey, config.webhookSecretPreviousKeys),
    ).resealSecrets();
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
