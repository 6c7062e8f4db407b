import { CONTRACT_EVENTS, CONTRACT_EVENT_TYPES, contractTopics } from '@passerelle/contracts';
import { canonicalEvent } from './canonical-event';
import { encodeCloudEvent, type CloudEvent } from './cloud-event';
import { ContractEventPattern } from './contract-event-pattern';
import { deterministicEventId } from './event-id';
import { TopicNames } from './topic-provisioner';

const CLIENT = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('canonicalEvent()', () => {
  it('builds the envelope the mappings built by hand: same id, attributes and Kafka record', () => {
    const built = canonicalEvent({
      type: 'ca.on.passerelle.service-event.recorded',
      id: { sourceSystem: 'cams:p-1', recordId: 'r-1', version: 3, discriminator: 'e-2' },
      source: '/eo/cams/p-1',
      time: '2026-03-02T10:00:00Z',
      subject: 'se-1',
      correlationid: 'corr-1',
      causationid: 'cause-1',
      partitionkey: CLIENT,
      data: { a: 1 },
    });
    const byHand: CloudEvent<{ a: number }> = {
      specversion: '1.0',
      id: deterministicEventId({
        sourceSystem: 'cams:p-1',
        recordId: 'r-1',
        version: 3,
        type: 'ca.on.passerelle.service-event.recorded:e-2',
      }),
      source: '/eo/cams/p-1',
      type: 'ca.on.passerelle.service-event.recorded',
      time: '2026-03-02T10:00:00Z',
      subject: 'se-1',
      dataschema: 'https://schemas.passerelle.ontario.ca/v1/canonical/service-event.json',
      correlationid: 'corr-1',
      causationid: 'cause-1',
      partitionkey: CLIENT,
      datacontenttype: 'application/json',
      data: { a: 1 },
    };
    expect(built).toEqual(byHand);
    expect(encodeCloudEvent(built)).toEqual(encodeCloudEvent(byHand));
  });

  it('derives the id from the type alone without a discriminator, and leaves absent attributes out of the record', () => {
    const built = canonicalEvent({
      type: 'ca.on.passerelle.ow-case-record.received',
      id: { sourceSystem: 'gateway', recordId: 'toronto:1', version: 2 },
      source: '/passerelle/gateway',
      time: '2026-03-02T10:00:00Z',
      partitionkey: 'member-1',
      data: {},
    });
    expect(built.id).toBe(
      deterministicEventId({
        sourceSystem: 'gateway',
        recordId: 'toronto:1',
        version: 2,
        type: 'ca.on.passerelle.ow-case-record.received',
      }),
    );
    expect(Object.keys(encodeCloudEvent(built).headers ?? {}).sort()).toEqual([
      'ce_dataschema',
      'ce_id',
      'ce_partitionkey',
      'ce_source',
      'ce_specversion',
      'ce_time',
      'ce_type',
      'content-type',
    ]);
  });

  it('keeps an id the domain already derived, and takes ce_dataschema from asyncapi.yaml for every type', () => {
    for (const type of CONTRACT_EVENT_TYPES) {
      const built = canonicalEvent({ type, id: 'given-id', source: '/s', time: '2026-03-02T10:00:00Z', data: null });
      expect({ id: built.id, dataschema: built.dataschema }).toEqual({
        id: 'given-id',
        dataschema: CONTRACT_EVENTS[type].dataschema,
      });
    }
  });
});

describe('typed contract names', () => {
  it('each event type goes to a topic asyncapi.yaml declares, under the deployment prefix', () => {
    expect(contractTopics()).toEqual(expect.arrayContaining(Object.values(CONTRACT_EVENTS).map((e) => e.topic)));
    expect(new TopicNames('p.').of('referrals.v1')).toBe('p.referrals.v1');
  });

  // Checked by `tsc --noEmit` (the repo's type check), not at run time: a misspelt name must not compile.
  it('refuse a misspelt topic or event type at compile time', () => {
    const names = new TopicNames('');
    // @ts-expect-error -- not a topic of asyncapi.yaml
    expect(names.of('referals.v1')).toBe('referals.v1');
    expect(() =>
      canonicalEvent({
        // @ts-expect-error -- not an event type of asyncapi.yaml
        type: 'ca.on.passerelle.referral.acepted',
        id: 'id',
        source: '/s',
        time: '2026-03-02T10:00:00Z',
        data: null,
      }),
    ).toThrow(TypeError);
    // @ts-expect-error -- not an event type of asyncapi.yaml
    expect(typeof ContractEventPattern('ca.on.passerelle.referral.submited')).toBe('function');
  });
});
