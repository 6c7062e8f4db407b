import { rmSync } from 'node:fs';
import type { LocalKafkaBroker } from '../infra/kafka/local-broker';

export default async function globalTeardown(): Promise<void> {
  const broker = (globalThis as { __kafkaBroker?: LocalKafkaBroker }).__kafkaBroker;
  if (!broker) return;
  await broker.stop();
  rmSync(broker.dataDir, { recursive: true, force: true });
}
