import { logLevel, type Kafka, type LogEntry, type logCreator } from 'kafkajs';
import { Logger } from '@nestjs/common';
import { kafkaClient, type KafkaConnectionOptions } from './kafka-connection';

export type { KafkaConnectionOptions } from './kafka-connection';

// kafkajs logs through Nest's logger (and so pino) instead of its own console output.
const nestLogCreator: logCreator = () => {
  const logger = new Logger('kafkajs');
  return ({ level, log }: LogEntry) => {
    const { message, ...extra } = log;
    const line = `${message} ${JSON.stringify(extra)}`;
    if (level === logLevel.ERROR) logger.error(line);
    else if (level === logLevel.WARN) logger.warn(line);
    else logger.debug(line);
  };
};

export function createKafka(options: KafkaConnectionOptions): Kafka {
  return kafkaClient(options, nestLogCreator);
}
