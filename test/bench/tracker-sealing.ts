import { isDeepStrictEqual } from 'node:util';
import { isSealedPersonal, type PersonalDataVault } from '@passerelle/crypto';
import type { CloudEvent } from '@passerelle/messaging';
import type { DatabaseHandle } from '@passerelle/persistence';
import { progress } from './bench';

/** The sealed run of referral-tracker.apply: its input as the adapters publish it, and its ledger checked against the clear run's. */

/**
 * The events with `personal` sealed with their client's data key, as the adapters publish them
 * (`sealOutgoingPersonal`): every event whose data has a `personal` and a `clientId`; the others
 * as they are (the same objects). A key store round trip per 1,000 events.
 */
export async function sealPersonal(vault: PersonalDataVault, events: CloudEvent[]): Promise<CloudEvent[]> {
  type Carrying = CloudEvent<{ clientId: string; personal: unknown }>;
  const carries = (e: CloudEvent): e is Carrying => {
    const data = e.data as { clientId?: unknown; personal?: unknown } | undefined;
    return data?.personal !== undefined && typeof data.clientId === 'string';
  };
  const carrying = events.filter(carries);
  const sealed = new Map<CloudEvent, CloudEvent>();
  for (let at = 0; at < carrying.length; at += 1_000) {
    const chunk = carrying.slice(at, at + 1_000);
    const out = await vault.protectMany(chunk.map((e) => ({ clientId: e.data.clientId, personal: e.data.personal })));
    chunk.forEach((e, n) => {
      if (!isSealedPersonal(out[n])) throw new Error(`the vault did not seal ${e.type} ${e.id}`);
      sealed.set(e, { ...e, data: { ...e.data, personal: out[n] } });
    });
  }
  return events.map((e) => sealed.get(e) ?? e);
}

/**
 * The sealed run's ledger holds `personal` opened: each referral's snapshot has the same
 * `personal` as in the clear run's ledger, and none sealed.
 */
export async function checkSameLedgerPersonal(clear: DatabaseHandle, sealed: DatabaseHandle): Promise<void> {
  const snapshots = async (database: DatabaseHandle) =>
    new Map(
      (await database.db.selectFrom('referral').select(['referral_id', 'snapshot']).execute()).map((r) => [
        r.referral_id,
        (r.snapshot as { personal?: unknown } | null)?.personal,
      ]),
    );
  const inClear = await snapshots(clear);
  const opened = await snapshots(sealed);
  let withPersonal = 0;
  for (const [referralId, personal] of inClear) {
    const other = opened.get(referralId);
    if (isSealedPersonal(other)) throw new Error(`referral ${referralId}'s ledger holds its personal sealed`);
    if (!isDeepStrictEqual(other, personal))
      throw new Error(`referral ${referralId}'s personal differs between the clear and the sealed run`);
    if (personal !== undefined) withPersonal += 1;
  }
  if (opened.size !== inClear.size) throw new Error(`${opened.size} referrals sealed, ${inClear.size} clear`);
  progress(
    `referral-tracker.apply: the sealed run's ledger holds the same personal data as the clear run's (${withPersonal} referrals)`,
  );
}
