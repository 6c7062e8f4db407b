import { randomBytes, randomUUID } from 'node:crypto';
import { isSealedPersonal, PersonalDataVault } from '@passerelle/crypto';
import type { InboundEvent } from '@passerelle/messaging';
import { MapKeyStore } from '../../../../test/support/map-key-store';
import type { SerializedOutboxMessage } from '@passerelle/persistence';
import { openInboundPersonal, sealOutboxPersonal } from './tracker-personal-data';

const personal = { name: { givenName: 'Amélie', familyName: 'Tremblay' }, birthDate: '1988-04-12' };
const inbound = (data: unknown): InboundEvent => ({ event: { id: randomUUID(), data } }) as unknown as InboundEvent;

describe("the tracker's personal data edge", () => {
  const vault = new PersonalDataVault(new MapKeyStore(), { masterKey: randomBytes(32), cacheTtlMs: 60_000 });

  it("opens what it routes; an erased client's event comes without personal data", async () => {
    const [live, erased] = [randomUUID(), randomUUID()];
    const [a, b] = await vault.protectMany([
      { clientId: live, personal },
      { clientId: erased, personal },
    ]);
    await vault.erase(erased);
    const noPersonal = inbound({ clientId: live, referralId: 'r-3' });
    const opened = await openInboundPersonal(vault, [
      inbound({ clientId: live, personal: a }),
      inbound({ clientId: erased, personal: b }),
      noPersonal,
    ]);
    expect(opened.map((e) => e.event.data)).toEqual([
      { clientId: live, personal },
      { clientId: erased },
      { clientId: live, referralId: 'r-3' },
    ]);
    expect(opened[2]).toBe(noPersonal);
  });

  it('seals the snapshot an emitted event carries, drops it once erased, leaves other messages as they are', async () => {
    const [live, erased] = [randomUUID(), randomUUID()];
    await vault.erase(erased);
    const message = (data: unknown): SerializedOutboxMessage => ({
      topic: 'referrals.v1',
      json: JSON.stringify({ data }),
    });
    const notification = message({ clientId: live, change: 'accepted' });
    const outbox = [message({ clientId: live, personal }), message({ clientId: erased, personal }), notification];
    await sealOutboxPersonal(vault, outbox);
    const [sealed, deidentified] = outbox.map((m) => (JSON.parse(m.json) as { data: { personal?: unknown } }).data);
    expect(isSealedPersonal(sealed.personal)).toBe(true);
    expect(outbox[0].json).not.toContain('Tremblay');
    expect(await vault.reveal(live, sealed.personal)).toEqual(personal);
    expect(deidentified).toEqual({ clientId: erased });
    expect(outbox[2]).toBe(notification);
  });
});
