import type { Kafka } from 'kafkajs';
import { sql } from 'kysely';
import type { DatabaseHandle } from '@passerelle/persistence';
import { waitFor } from '../support/kafka';

/** What the tracker's tables say about the referrals the load got a 202 for. */
export interface LedgerState {
  /** Answered 202, yet not in the ledger (`referral`). */
  missing: string[];
  /** In the ledger with another status than `accepted`. */
  notAccepted: Array<{ referralId: string; status: string; businessStatus: string }>;
  /** Referral ids recorded more than once by the gateway (`referral_submission`). */
  submittedTwice: string[];
  /** Referrals whose history holds `accepted` more than once, or none. */
  acceptedCount: Array<{ referralId: string; accepted: number }>;
  /** One event's change recorded twice in a referral's history. */
  historyDuplicates: Array<{ referralId: string; toStatus: string; eventId: string; rows: number }>;
  /** One event claimed twice by one consumer in the inbox. */
  inboxDuplicates: Array<{ consumer: string; eventId: string; rows: number }>;
  outbox: number;
  parked: number;
}

export async function ledgerState(database: DatabaseHandle, referralIds: string[]): Promise<LedgerState> {
  const { db } = database;
  const rows = await db
    .selectFrom('referral')
    .select(['referral_id', 'status', 'business_status'])
    .where('referral_id', 'in', referralIds.length > 0 ? referralIds : [''])
    .execute();
  const found = new Map(rows.map((r) => [r.referral_id, r]));
  const submissions = await db
    .selectFrom('referral_submission')
    .select(['referral_id', (eb) => eb.fn.countAll<string>().as('rows')])
    .groupBy('referral_id')
    .having((eb) => eb.fn.countAll(), '>', 1)
    .execute();
  const accepted = await db
    .selectFrom('referral_history')
    .select(['referral_id', (eb) => eb.fn.countAll<string>().as('rows')])
    .where('to_status', '=', 'accepted')
    .groupBy('referral_id')
    .execute();
  const acceptedBy = new Map(accepted.map((a) => [a.referral_id, Number(a.rows)]));
  const history = await db
    .selectFrom('referral_history')
    .select(['referral_id', 'to_status', 'event_id', (eb) => eb.fn.countAll<string>().as('rows')])
    // Timers are the tracker's own changes, keyed by timer rather than by an event.
    .where('actor_org', '!=', 'system:timer')
    .groupBy(['referral_id', 'to_status', 'business_status', 'event_id'])
    .having((eb) => eb.fn.countAll(), '>', 1)
    .execute();
  const inbox = await db
    .selectFrom('inbox')
    .select(['consumer', 'event_id', (eb) => eb.fn.countAll<string>().as('rows')])
    .groupBy(['consumer', 'event_id'])
    .having((eb) => eb.fn.countAll(), '>', 1)
    .execute();
  const outbox = await db
    .selectFrom('outbox')
    .select(sql<string>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  const parked = await db
    .selectFrom('parked_event')
    .select(sql<string>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return {
    missing: referralIds.filter((id) => !found.has(id)),
    notAccepted: rows
      .filter((r) => r.status !== 'accepted')
      .map((r) => ({ referralId: r.referral_id, status: r.status, businessStatus: r.business_status })),
    submittedTwice: submissions.map((s) => s.referral_id),
    acceptedCount: referralIds
      .map((id) => ({ referralId: id, accepted: acceptedBy.get(id) ?? 0 }))
      .filter((a) => a.accepted !== 1),
    historyDuplicates: history.map((h) => ({
      referralId: h.referral_id,
      toStatus: h.to_status,
      eventId: h.event_id,
      rows: Number(h.rows),
    })),
    inboxDuplicates: inbox.map((i) => ({ consumer: i.consumer, eventId: i.event_id, rows: Number(i.rows) })),
    outbox: Number(outbox.n),
    parked: Number(parked.n),
  };
}

/** Records ever written to each of the suite's dead-letter topics (high watermarks; none is the goal). */
export async function deadLetters(kafka: Kafka, prefix: string): Promise<Record<string, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix) && t.endsWith('.dlq'));
    const counts: Record<string, number> = {};
    for (const topic of topics) {
      // A broker back from a crash may not lead every partition yet: asked again until it does.
      const offsets = await waitFor(() => admin.fetchTopicOffsets(topic).catch(() => undefined), 30_000, topic);
      counts[topic.slice(prefix.length)] = offsets.reduce((sum, p) => sum + Number(p.high), 0);
    }
    return counts;
  } finally {
    await admin.disconnect();
  }
}
