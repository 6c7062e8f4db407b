import 'reflect-metadata';
import { ConfigError } from '@passerelle/config';
import { createGateway } from './create-gateway';
import { loadGatewayConfig } from './gateway.config';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const app = await createGateway(config);
  await app.listen(config.port, config.host);
  const shown = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  console.log(
    `Passerelle gateway listening: API http://${shown}:${config.port}/v1 — docs http://${shown}:${config.port}/v1/docs`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`gateway: ${error.message}`);
  } else {
    console.error('gateway failed to start:', error);
  }
  process.exit(1);
});
