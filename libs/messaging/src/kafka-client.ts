import type { Kafka } from 'kafkajs';
import { Logger } from '@nestjs/common';
import { kafkaClient, kafkaLogCreator, type KafkaConnectionOptions } from './kafka-connection';

export type { KafkaConnectionOptions, KafkaLogLevel } from './kafka-connection';

/** A Kafka client whose logs go through Nest's logger (and so pino) instead of kafkajs' console output. */
export function createKafka(options: KafkaConnectionOptions): Kafka {
  const logger = new Logger('kafkajs');
  return kafkaClient(
    options,
    kafkaLogCreator((level, line) => logger[level](line)),
  );
}
