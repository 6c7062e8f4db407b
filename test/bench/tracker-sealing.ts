import { isDeepStrictEqual } from 'node:util';
import { isSealedPersonal, type PersonalDataVault } from '@passerelle/crypto';
import type { CloudEvent } from '@passerelle/messaging';
import type { DatabaseHandle } from '@passerelle/persistence';
import { sealOutgoingPersonal } from '@passerelle/translation';
import { progress } from './bench';

/** The sealed run of referral-tracker.apply: its input as the adapters publish it, and its ledger checked against the clear run's. */

/**
 * The events with `personal` sealed with their client's data key, as the adapters publish them:
 * copies put through the adapters' own edge (`sealOutgoingPersonal`), the events given left as
 * they are. Throws if one carrying `personal` did not come out sealed.
 */
export async function sealPersonal(vault: PersonalDataVault, events: CloudEvent[]): Promise<CloudEvent[]> {
  const copies = events.map((e) => ({ ...e }));
  for (let at = 0; at < copies.length; at += 1_000) await sealOutgoingPersonal(vault, copies.slice(at, at + 1_000));
  for (const e of copies) {
    const personal = (e.data as { personal?: unknown } | undefined)?.personal;
    if (personal !== undefined && !isSealedPersonal(personal)) throw new Error(`${e.type} ${e.id} was not sealed`);
  }
  return copies;
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
