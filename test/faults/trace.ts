import type { Kafka } from 'kafkajs';
import type { DatabaseHandle } from '@passerelle/persistence';
import { headersAsStrings, readRecordsUntil, waitFor } from '../support/kafka';

export interface LostReferral {
  referralId: string;
  sourceReferralId: string;
}

/** Every record of a topic as it stands (to its high watermarks), as `ce_*` headers and value text. */
async function readAll(
  kafka: Kafka,
  topic: string,
): Promise<Array<{ headers: Record<string, string>; value: string }>> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await waitFor(() => admin.fetchTopicOffsets(topic).catch(() => undefined), 30_000, topic).finally(() =>
    admin.disconnect(),
  );
  const expected = new Map(ends.map((p) => [p.partition, Number(p.high) - Number(p.low)]));
  if ([...expected.values()].every((n) => n === 0)) return [];
  const records = await readRecordsUntil(kafka, topic, (read) =>
    [...expected].every(([partition, n]) => read.filter((r) => r.partition === partition).length >= n),
  );
  return records.map((r) => ({ headers: headersAsStrings(r.headers), value: r.value?.toString() ?? '' }));
}

/**
 * Where each referral answered 202 but missing from the ledger was lost: on the raw topic or
 * not, mapped to `referrals.v1` or not, seen by the tracker's inbox or not. One line each.
 */
export async function traceLost(
  kafka: Kafka,
  prefix: string,
  database: DatabaseHandle,
  lost: LostReferral[],
): Promise<string[]> {
  if (lost.length === 0) return [];
  const raw = await readAll(kafka, `${prefix}ow.case-records.v1`);
  const canonical = await readAll(kafka, `${prefix}referrals.v1`);
  const inbox = await database.db.selectFrom('inbox').select(['consumer', 'event_id']).execute();
  return lost.map(({ referralId, sourceReferralId }) => {
    const onRaw = raw.filter((r) => r.value.includes(`"referralId":"${sourceReferralId}"`));
    const submitted = canonical.filter(
      (r) => r.headers.ce_subject === referralId && r.headers.ce_type === 'ca.on.passerelle.referral.submitted',
    );
    const applied = inbox.filter((i) => submitted.some((s) => s.headers.ce_id === i.event_id));
    return (
      `${referralId} (${sourceReferralId}): ${onRaw.length} record(s) on ow.case-records.v1, ` +
      `${submitted.length} referral.submitted on referrals.v1, ${applied.length} in the tracker's inbox`
    );
  });
}
