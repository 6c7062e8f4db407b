import {
  authSettings,
  databaseSettings,
  httpSettings,
  kafkaSettings,
  loadConfig,
  personalDataSettings,
  processSettings,
  webhookSubscriptionSettings,
  type ConfigOf,
} from '@passerelle/config';

export const gatewaySettings = {
  ...httpSettings,
  ...kafkaSettings,
  ...databaseSettings,
  ...processSettings,
  ...authSettings,
  ...webhookSubscriptionSettings,
  ...personalDataSettings,
};
export type GatewayConfig = ConfigOf<typeof gatewaySettings>;

export function loadGatewayConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  return loadConfig(gatewaySettings, env);
}
