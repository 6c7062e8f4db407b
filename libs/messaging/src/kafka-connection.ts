import { Kafka, logLevel, type LogEntry, type logCreator } from 'kafkajs';

export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
}

/** The logger levels kafkajs' entries are written at (kafkajs logs WARN and above here). */
export type KafkaLogLevel = 'error' | 'warn' | 'debug';

/** kafkajs logs to `write`, each entry as one line: its message, then its fields as JSON. */
export function kafkaLogCreator(write: (level: KafkaLogLevel, line: string) => void): logCreator {
  return () =>
    ({ level, log: { message, ...extra } }: LogEntry) =>
      write(
        level === logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : 'debug',
        `${message} ${JSON.stringify(extra)}`,
      );
}

/**
 * The Kafka client every Passerelle process uses, with its logs going to `logs`. Kept apart
 * from Nest (see kafka-client.ts for the Nest-logged one), so a worker thread that only
 * produces does not load it.
 */
export function kafkaClient(options: KafkaConnectionOptions, logs: logCreator): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator: logs,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, retries: 8 },
  });
}
