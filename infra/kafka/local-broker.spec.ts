import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { LocalKafkaBroker, ensureKafkaJars, freePort } from './local-broker';

describe('local Kafka broker', () => {
  it('reports a version Maven Central does not have as a clear error', () => {
    const cache = mkdtempSync(join(tmpdir(), 'kafka-cache-'));
    try {
      expect(() => ensureKafkaJars('0.0.0-no-such-version', cache)).toThrow(
        /Could not fetch Kafka 0\.0\.0-no-such-version from Maven Central/,
      );
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }, 120_000);

  it('fails start-up with the broker log when its port is taken, instead of hanging', async () => {
    const port = await freePort();
    const blocker = createServer().listen(port, '127.0.0.1');
    const dataDir = mkdtempSync(join(tmpdir(), 'kafka-data-'));
    const broker = new LocalKafkaBroker({ port, dataDir, startTimeoutMs: 60_000, heapMb: 256 });
    try {
      await expect(broker.start()).rejects.toThrow(/exited during start-up|not ready/);
    } finally {
      await broker.stop();
      blocker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('formats storage with a cluster id that starts with a dash (base64url allows it)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kafka-data-'));
    const broker = new LocalKafkaBroker({ dataDir, clusterId: '-AAAAAAAAAAAAAAAAAAAAA', heapMb: 256 });
    try {
      expect(await broker.start()).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+$/)]);
    } finally {
      await broker.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
