import { randomBytes, randomUUID } from 'node:crypto';
import type { CloudEvent } from '@passerelle/contracts';
import { isSealedPersonal, PersonalDataVault, type ClientKeyStore, type StoredClientKey } from '@passerelle/crypto';
import type { InboundEvent } from '@passerelle/messaging';
import { ERASED_RECORD, openRawRecords, sealOutgoingPersonal } from './personal-data-edge';

/** The key store contract over a Map (the `client_key` table one is tested e2e). */
function mapKeyStore(): ClientKeyStore {
  const rows = new Map<string, StoredClientKey>();
  return {
    find: (ids) => Promise.resolve(ids.flatMap((id) => (rows.has(id) ? [{ ...rows.get(id)! }] : []))),
    createIfAbsent: (keys) =>
      Promise.resolve(
        keys.map((k) => {
          if (!rows.has(k.clientId)) rows.set(k.clientId, { ...k, erasedAt: null });
          return { ...rows.get(k.clientId)! };
        }),
      ),
    erase: (clientId) => {
      rows.set(clientId, { clientId, wrappedKey: null, masterKeyId: null, erasedAt: new Date() });
      return Promise.resolve({ erasedAt: new Date(), newlyErased: true });
    },
    wrappedByOther: () => Promise.resolve([]),
    rewrap: () => Promise.resolve(false),
  };
}

const personal = { name: { givenName: 'Amélie', familyName: 'Tremblay' }, birthDate: '1988-04-12' };
const event = (clientId: string, type = 'ca.on.passerelle.client.updated'): CloudEvent =>
  ({ type, id: randomUUID(), data: { clientId, program: 'OW', personal } }) as unknown as CloudEvent;
const inbound = (data: unknown): InboundEvent => ({ event: { data } }) as unknown as InboundEvent;

describe("the adapters' personal data edge", () => {
  const vault = new PersonalDataVault(mapKeyStore(), { masterKey: randomBytes(32), cacheTtlMs: 60_000 });

  it('seals every outgoing personal member with its client key, and drops it for an erased client', async () => {
    const [kept, erased] = [randomUUID(), randomUUID()];
    await vault.erase(erased);
    const conflict = event(kept, 'ca.on.passerelle.client.link-conflict');
    const events = [event(kept), event(erased), conflict];
    await sealOutgoingPersonal(vault, events);
    const [sealed, deidentified] = events.map((e) => e.data as { personal?: unknown; program: string });
    expect(isSealedPersonal(sealed.personal)).toBe(true);
    expect(JSON.stringify(sealed)).not.toContain('Tremblay');
    expect(await vault.reveal(kept, sealed.personal)).toEqual(personal);
    expect(deidentified).toEqual({ clientId: erased, program: 'OW' });
    // A link conflict's pair of ids is not a Personal: left as mapped.
    expect((conflict.data as { personal: unknown }).personal).toEqual(personal);
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
