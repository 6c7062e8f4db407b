import { ConfigError, kafkaSettings, loadConfig } from '@passerelle/config';
import { EventPublisher, TopicNames, createKafka, replayDeadLetters } from '@passerelle/messaging';

/**
 * `npm run dlq:replay -- <topic> [--limit N]`: puts what `<topic>.dlq` holds back on `<topic>`
 * (after the cause was fixed: a mapping added, a bug deployed). `<topic>` is the contract name;
 * KAFKA_TOPIC_PREFIX and KAFKA_BROKERS apply as for the apps.
 */
async function main(argv: string[]): Promise<void> {
  const topic = argv.find((a) => !a.startsWith('--'));
  const limitAt = argv.indexOf('--limit');
  const limit = limitAt >= 0 ? Number(argv[limitAt + 1]) : undefined;
  if (!topic || (limit !== undefined && !(Number.isInteger(limit) && limit > 0))) {
    console.error('usage: npm run dlq:replay -- <topic, e.g. referrals.v1> [--limit N]');
    process.exit(2);
  }
  const config = loadConfig(kafkaSettings);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'passerelle-dlq-replay' });
  const publisher = new EventPublisher(kafka);
  const names = new TopicNames(config.topicPrefix);
  const dlqTopic = names.ofUnchecked(topic.endsWith('.dlq') ? topic : `${topic}.dlq`);
  try {
    const report = await replayDeadLetters({
      kafka,
      publisher,
      dlqTopic,
      limit,
      groupId: `${config.topicPrefix}passerelle-dlq-replay`,
    });
    console.log(JSON.stringify({ dlqTopic, ...report }));
  } finally {
    await publisher.disconnect();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
