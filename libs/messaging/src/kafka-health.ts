import { Kafka, logLevel } from 'kafkajs';

/**
 * Readiness probe for Kafka: a fresh admin client (no retries) describes the cluster. A fresh
 * client per probe, so a broker that went away and came back is seen as soon as it is back.
 */
export async function probeKafka(brokers: string[], timeoutMs: number): Promise<void> {
  const admin = new Kafka({
    clientId: 'passerelle-readiness',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  }).admin();
  try {
    await withTimeout(
      (async () => {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length === 0) throw new Error('cluster has no live broker');
      })(),
      timeoutMs,
      `no answer from ${brokers.join(',')} within ${timeoutMs} ms`,
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
