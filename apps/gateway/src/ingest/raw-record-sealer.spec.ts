import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OwCaseRecord } from '@passerelle/contracts';
import { isSealedPersonal, PersonalDataVault } from '@passerelle/crypto';
import {
  decodeCloudEvent,
  encodeCloudEvent,
  type CloudEvent,
  type EncodedCloudEvent,
  type EventPublisher,
} from '@passerelle/messaging';
import { founderClientId, type SourceIdentity } from '@passerelle/persistence';
import { MapKeyStore } from '../../../../test/support/map-key-store';
import type { RawRecordClients } from './raw-record-clients';
import { SealingRecordSink } from './raw-record-sealer';

const TYPE = 'ca.on.passerelle.ow-case-record.received';
const fixture = JSON.parse(
  readFileSync(
    join(__dirname, '../../../../test/fixtures/sources/ow-case-record/eloise-cote-tremblay-referral.json'),
    'utf8',
  ),
) as OwCaseRecord;

/** The fixture as another person (its own member id), as the gateway encodes a raw record. */
function raw(memberId: string): EncodedCloudEvent {
  const data: OwCaseRecord = { ...fixture, personal: { ...fixture.personal, memberId } };
  const event: CloudEvent<OwCaseRecord> = {
    specversion: '1.0',
    id: `raw-${memberId}`,
    source: '/v1/referrals',
    type: TYPE,
    partitionkey: memberId,
    datacontenttype: 'application/json',
    data,
  };
  return encodeCloudEvent(event);
}

describe('SealingRecordSink', () => {
  const store = new MapKeyStore();
  const vault = new PersonalDataVault(store, { masterKey: randomBytes(32), cacheTtlMs: 60_000 });
  /** Each new person founds the client its source id gives, as RawRecordClients finds it. */
  let lookups = 0;
  const clients = {
    clientIdsOf: (records: readonly SourceIdentity[][]) => {
      lookups++;
      return Promise.resolve(records.map((ids) => founderClientId(ids)));
    },
  } as unknown as RawRecordClients;
  const sent: Array<{ topic: string; messages: EncodedCloudEvent[] }> = [];
  const publisher = {
    send: (topic: string, messages: EncodedCloudEvent[]) => {
      sent.push({ topic, messages });
      return Promise.resolve();
    },
  } as unknown as EventPublisher;
  const sink = new SealingRecordSink(publisher, vault, clients);

  beforeEach(() => {
    sent.length = 0;
    lookups = 0;
  });

  it("sends the record with its personal data and notes sealed with its client's key, keyed by that client", async () => {
    await sink.send('ow.case-records.v1', [raw('104558231')]);
    const [{ messages }] = sent;
    const value = (messages[0].value as Buffer).toString();
    expect(value).not.toContain('Tremblay');
    expect(value).not.toContain('104558231');
    expect(value).not.toContain(fixture.referralRequest!.notes!.slice(0, 20));
    const event = decodeCloudEvent<{ personal: unknown; referralRequest: { notes: unknown } }>(messages[0]);
    const clientId = founderClientId([{ system: 'sams', id: '104558231' }]);
    expect(event.partitionkey).toBe(clientId);
    expect(isSealedPersonal(event.data.personal)).toBe(true);
    expect(await vault.reveal(clientId, event.data.personal)).toEqual({ ...fixture.personal, memberId: '104558231' });
    expect(await vault.reveal(clientId, event.data.referralRequest.notes)).toBe(fixture.referralRequest!.notes);
  });

  it('seals concurrent sends together: one link lookup and one key load for those that waited', async () => {
    const finds = store.finds;
    await Promise.all(['200000001', '200000002', '200000003', '200000004'].map((m) => sink.send('t', [raw(m)])));
    // The first send is sealed alone; the three that arrived meanwhile share the next group.
    expect(lookups).toBe(2);
    expect(store.finds - finds).toBe(2);
    expect(sent.map((s) => decodeCloudEvent(s.messages[0]).id).sort()).toEqual([
      'raw-200000001',
      'raw-200000002',
      'raw-200000003',
      'raw-200000004',
    ]);
  });

  it("shreds the personal data of an erased client's record: sealed, for no key anyone keeps", async () => {
    const clientId = founderClientId([{ system: 'sams', id: '300000001' }]);
    await vault.erase(clientId);
    await sink.send('t', [raw('300000001')]);
    const event = decodeCloudEvent<{ personal: unknown }>(sent[0].messages[0]);
    expect(isSealedPersonal(event.data.personal)).toBe(true);
    expect(await vault.reveal(clientId, event.data.personal)).toBeUndefined();
  });

  it('refuses a record type it does not seal, sending nothing', async () => {
    const other = { ...raw('400000001') };
    other.headers = { ...other.headers, ce_type: 'ca.on.passerelle.referral.submitted' };
    await expect(sink.send('t', [other])).rejects.toThrow('is not a raw record type the gateway seals');
    expect(sent).toEqual([]);
  });
});
