import { randomBytes, randomUUID } from 'node:crypto';
import type { CloudEvent } from '@passerelle/contracts';
import { isSealedPersonal, PersonalDataVault } from '@passerelle/crypto';
import type { InboundEvent } from '@passerelle/messaging';
import { MapKeyStore } from '../../../test/support/map-key-store';
import {
  ERASED_RECORD,
  erasedRecordStandIn,
  openRawRecords,
  sealOutgoingPersonal,
  sealRawRecords,
} from './personal-data-edge';

const personal = { name: { givenName: 'Amélie', familyName: 'Tremblay' }, birthDate: '1988-04-12' };
const event = (clientId: string, type = 'ca.on.passerelle.client.updated'): CloudEvent =>
  ({ type, id: randomUUID(), data: { clientId, program: 'OW', personal } }) as unknown as CloudEvent;
const inbound = (data: unknown): InboundEvent => ({ event: { data } }) as unknown as InboundEvent;

describe("the adapters' personal data edge", () => {
  const vault = new PersonalDataVault(new MapKeyStore(), { masterKey: randomBytes(32), cacheTtlMs: 60_000 });

  it('seals every outgoing personal member with its client key, and drops it for an erased client', async () => {
    const [kept, erased] = [randomUUID(), randomUUID()];
    await vault.erase(erased);
    const conflict = event(kept, 'ca.on.passerelle.client.link-conflict');
    const events = [event(kept), event(erased), conflict];
    await sealOutgoingPersonal(vault, events);
    const [sealed, deidentified, sealedConflict] = events.map((e) => e.data as { personal?: unknown; program: string });
    expect(isSealedPersonal(sealed.personal)).toBe(true);
    expect(JSON.stringify(sealed)).not.toContain('Tremblay');
    expect(await vault.reveal(kept, sealed.personal)).toEqual(personal);
    expect(deidentified).toEqual({ clientId: erased, program: 'OW' });
    // A link conflict's source id identifies the person too: sealed with the kept client's key.
    expect(isSealedPersonal(sealedConflict.personal)).toBe(true);
    expect(await vault.reveal(kept, sealedConflict.personal)).toEqual(personal);
  });

  it("seals raw records' personal data and notes with their client's key, keyed by it; what it seals opens back", async () => {
    const [live, erased] = [randomUUID(), randomUUID()];
    await vault.erase(erased);
    const notes = 'Préfère le matin.';
    const raw = (id: string, data: object) =>
      ({ type: 'ca.on.passerelle.ow-case-record.received', id, partitionkey: '104558231', data }) as CloudEvent<{
        personal: unknown;
        referralRequest?: { notes?: unknown };
      }>;
    const records = [
      raw('r-1', { personal, referralRequest: { consentId: 'c-1', notes } }),
      raw('r-2', { personal }),
      raw('r-3', { personal, referralRequest: { consentId: 'c-3', notes } }),
    ];
    const sealed = await sealRawRecords(vault, records, [live, live, erased]);
    expect(sealed.map((e) => e.partitionkey)).toEqual([live, live, erased]);
    expect(JSON.stringify(sealed)).not.toContain('Tremblay');
    expect(JSON.stringify(sealed)).not.toContain('matin');
    // The erased client's record is shredded: sealed, naming its client, readable by no one.
    expect(isSealedPersonal(sealed[2].data.personal)).toBe(true);
    expect(isSealedPersonal(sealed[2].data.referralRequest?.notes)).toBe(true);
    const opened = await openRawRecords(
      vault,
      sealed.map((e) => inbound(e.data)),
    );
    expect(opened).toEqual([records[0].data, records[1].data, ERASED_RECORD]);
    // The records given are left as they were.
    expect(records[0].data).toEqual({ personal, referralRequest: { consentId: 'c-1', notes } });
  });

  it('opens sealed raw records, passes clear ones, and marks those of an erased client', async () => {
    const [live, erased] = [randomUUID(), randomUUID()];
    const [sealedLive, sealedErased] = await vault.protectMany([
      { clientId: live, personal },
      { clientId: erased, personal },
    ]);
    await vault.erase(erased);
    const clear = { sourceRecordId: 'r-3', personal };
    const opened = await openRawRecords(vault, [
      inbound({ sourceRecordId: 'r-1', personal: sealedLive }),
      inbound({ sourceRecordId: 'r-2', personal: sealedErased }),
      inbound(clear),
    ]);
    expect(opened).toEqual([{ sourceRecordId: 'r-1', personal }, ERASED_RECORD, clear]);
  });

  it("opens a referral request's sealed notes with the record, and leaves them out of an erased record's stand-in", async () => {
    const [live, erased] = [randomUUID(), randomUUID()];
    const notes = 'Préfère le matin; Amélie a un rendez-vous le 22.';
    const [livePersonal, liveNotes, erasedPersonal, erasedNotes] = await vault.protectMany<unknown>([
      { clientId: live, personal },
      { clientId: live, personal: notes },
      { clientId: erased, personal },
      { clientId: erased, personal: notes },
    ]);
    await vault.erase(erased);
    const request = { consentId: 'c-1', notes: liveNotes };
    const opened = await openRawRecords(vault, [
      inbound({ personal: livePersonal, referralRequest: request }),
      inbound({ personal: erasedPersonal, referralRequest: { consentId: 'c-2', notes: erasedNotes } }),
    ]);
    expect(opened).toEqual([{ personal, referralRequest: { consentId: 'c-1', notes } }, ERASED_RECORD]);
    expect(
      erasedRecordStandIn({ personal: erasedPersonal, referralRequest: { consentId: 'c-2', notes: erasedNotes } }, {}),
    ).toEqual({ personal: {}, referralRequest: { consentId: 'c-2' } });
    expect(erasedRecordStandIn({ personal: erasedPersonal, programCode: 'OW' }, {})).toEqual({
      personal: {},
      programCode: 'OW',
    });
  });

  it('refuses a raw record whose notes were sealed for another client', async () => {
    const [owner, other] = [randomUUID(), randomUUID()];
    const sealedPersonal = await vault.protect(owner, personal);
    const othersNotes = (await vault.protect(other, 'notes')) as { keyId: string };
    await expect(
      openRawRecords(vault, [
        inbound({ personal: sealedPersonal, referralRequest: { notes: { ...othersNotes, keyId: owner } } }),
      ]),
    ).rejects.toMatchObject({ code: 'PERSONAL_DATA_CANNOT_OPEN' });
  });

  it('refuses a raw record whose sealed personal data was altered (the record then fails like any other)', async () => {
    const clientId = randomUUID();
    const sealed = (await vault.protect(clientId, personal)) as { ciphertext: string };
    const bytes = Buffer.from(sealed.ciphertext, 'base64url');
    bytes[0] ^= 1;
    const altered = { ...sealed, ciphertext: bytes.toString('base64url') };
    await expect(openRawRecords(vault, [inbound({ personal: altered })])).rejects.toMatchObject({
      code: 'PERSONAL_DATA_CANNOT_OPEN',
    });
  });
});
