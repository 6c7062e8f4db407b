import { logLevel } from 'kafkajs';
import { kafkaLogCreator, type KafkaLogLevel } from './kafka-connection';

describe('kafkaLogCreator', () => {
  const written = (level: logLevel, log: { message: string; [field: string]: unknown }) => {
    const lines: [KafkaLogLevel, string][] = [];
    kafkaLogCreator((l, line) => lines.push([l, line]))(logLevel.DEBUG)({
      namespace: 'Connection',
      level,
      label: 'x',
      log: { timestamp: 't', ...log },
    });
    return lines;
  };

  it('writes one line per entry: the message, then its fields as JSON', () => {
    expect(written(logLevel.ERROR, { message: 'Response Metadata', broker: '127.0.0.1:9092', size: 476 })).toEqual([
      ['error', 'Response Metadata {"timestamp":"t","broker":"127.0.0.1:9092","size":476}'],
    ]);
  });

  it('keeps errors and warnings at their level and writes the rest as debug', () => {
    expect(written(logLevel.WARN, { message: 'w' })[0][0]).toBe('warn');
    for (const level of [logLevel.INFO, logLevel.DEBUG]) expect(written(level, { message: 'i' })[0][0]).toBe('debug');
  });
});
