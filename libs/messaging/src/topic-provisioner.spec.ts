import { contractTopicSpecs } from '@passerelle/contracts';
import { MessagingError, MessagingErrorCode } from './messaging.error';
import { retentionMsOf, type TopicRetentionDays } from './topic-provisioner';

const DAY = 86_400_000;
const retention: TopicRetentionDays = {
  rawTopicRetentionDays: 1,
  canonicalTopicRetentionDays: 2,
  deidentifiedTopicRetentionDays: 3,
  notificationTopicRetentionDays: 4,
  dlqTopicRetentionDays: 5,
};

describe('retentionMsOf', () => {
  const specs = contractTopicSpecs();
  const of = (name: string) =>
    retentionMsOf(
      specs.find((t) => t.name === name)!,
      retention,
    );

  it('gives each kind of contract topic its own setting, in ms', () => {
    expect(of('ow.case-records.v1')).toBe(1 * DAY);
    expect(of('clients.v1')).toBe(2 * DAY);
    expect(of('ministry.outcomes.v1')).toBe(3 * DAY);
    expect(of('notifications.v1')).toBe(4 * DAY);
    expect(of('clients.v1.dlq')).toBe(5 * DAY);
    expect(of('ow.case-records.v1.dlq')).toBe(5 * DAY);
  });

  it('has a retention for every topic of asyncapi.yaml', () => {
    for (const topic of specs) expect(retentionMsOf(topic, retention)).toBeGreaterThan(0);
  });

  it('refuses a topic of no known kind, naming it and its tags', () => {
    const attempt = () => retentionMsOf({ name: 'odd.v1', tags: ['experimental'] }, retention);
    expect(attempt).toThrow(MessagingError);
    expect(attempt).toThrow('topic odd.v1 has no retention: its asyncapi.yaml tags (experimental) name none of raw,');
    try {
      attempt();
    } catch (error) {
      expect((error as MessagingError).code).toBe(MessagingErrorCode.TopicProvisioning);
    }
    expect(() => retentionMsOf({ name: 'bare.v1', tags: [] }, retention)).toThrow('tags (none)');
  });
});
