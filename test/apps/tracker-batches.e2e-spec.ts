import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { MappedEvent, OutcomeMilestone, ReferralResponse } from '@passerelle/contracts';
import { TopicNames, type CloudEvent, type InboundEvent } from '@passerelle/messaging';
import { DurableTimers, Inbox, inUnitOfWork, type DatabaseHandle } from '@passerelle/persistence';
import { LedgerStore } from '../../apps/referral-tracker/src/ledger/ledger-store';
import { noKeys } from '../../apps/referral-tracker/src/ledger/ledger-keys';
import { Pseudonymizer } from '../../apps/referral-tracker/src/ministry/deidentify';
import { CatchmentRouter } from '../../apps/referral-tracker/src/routing/catchment-router';
import { loadProviderDirectory } from '../../apps/referral-tracker/src/routing/provider-directory';
import { OntarioBusinessCalendar } from '@passerelle/lifecycle';
import { DueTimers } from '../../apps/referral-tracker/src/tracking/due-timers';
import { EventBatches } from '../../apps/referral-tracker/src/tracking/event-batches';
import { OutcomeTracking } from '../../apps/referral-tracker/src/tracking/outcome-tracking';
import { ReferralTracking } from '../../apps/referral-tracker/src/tracking/referral-tracking';
import { TrackedEvents } from '../../apps/referral-tracker/src/tracking/tracked-events';
import { TrackerError, TrackerErrorCode } from '../../apps/referral-tracker/src/tracking/tracker.error';
import { clientPath } from '../support/client-path';
import { dropSuiteDatabase, openSuiteDatabase } from '../support/database';

/** The tracker's batch machinery on its own, against PostgreSQL (no broker: events are handed over as the transport would). */
function tracker(database: DatabaseHandle) {
  const names = new TopicNames('');
  const tracking = new ReferralTracking(new CatchmentRouter(loadProviderDirectory()), names, {
    calendar: OntarioBusinessCalendar.load(),
    responseBusinessDays: 5,
  });
  const outcomes = new OutcomeTracking(names, new Pseudonymizer(PSEUDONYM_KEY));
  let commits = 0;
  const batches = new EventBatches(
    database.db,
    new Inbox(database.db, 'referral-tracker'),
    new LedgerStore(),
    new TrackedEvents(tracking, outcomes),
    () => (commits += 1),
  );
  return {
    batches,
    tracking,
    outcomes,
    commits: () => commits,
    /** One Kafka batch: a unit of work whose events are handed over in runs of one type, as the transport does. */
    apply: (events: readonly InboundEvent[]) =>
      inUnitOfWork(database.db, async () => {
        for (let at = 0; at < events.length;) {
          let end = at + 1;
          while (end < events.length && events[end].event.type === events[at].event.type) end += 1;
          await batches.submit(events.slice(at, end));
          at = end;
        }
      }),
  };
}

const PSEUDONYM_KEY = randomBytes(32);
let offset = 0;
const inbound = (mapped: MappedEvent | { topic: string; event: CloudEvent }): InboundEvent => {
  const event = mapped.event;
  offset += 1;
  return {
    event,
    topic: mapped.topic,
    partition: 0,
    offset: String(offset),
    key: event.partitionkey ?? null,
    timestamp: '0',
    raw: {
      key: null,
      value: Buffer.from(JSON.stringify(event.data)),
      headers: {},
      offset: String(offset),
      timestamp: '0',
    },
  };
};

/** Everything the tracker keeps, in a form two schemas can be compared in. */
async function ledgerOf(database: DatabaseHandle) {
  const { db } = database;
  return {
    referrals: await db
      .selectFrom('referral')
      .select([
        'referral_id',
        'status',
        'business_status',
        'provider',
        'version',
        'catchment',
        'provider_type',
        'age_band',
        'region',
        'stream',
        'accepted_at',
        'snapshot',
      ])
      .orderBy('referral_id')
      .execute(),
    history: await db
      .selectFrom('referral_history')
      .select([
        'referral_id',
        'from_status',
        'to_status',
        'business_status',
        'actor',
        'actor_org',
        'reason',
        'event_id',
        'occurred_at',
      ])
      .orderBy('id')
      .execute(),
    outbox: (await db.selectFrom('outbox').select(['topic', 'event']).orderBy('id').execute()).map((r) => ({
      topic: r.topic,
      event: r.event,
    })),
    consents: await db.selectFrom('consent').selectAll().orderBy('consent_id').execute(),
    spells: await db.selectFrom('employment_spell').selectAll().orderBy('employment_spell_id').execute(),
    outcomes: await db
      .selectFrom('outcome')
      .selectAll()
      .orderBy('outcome_type')
      .orderBy('employment_spell_id')
      .execute(),
    supports: await db.selectFrom('support_issued').selectAll().orderBy('benefit_id').execute(),
    timers: await db
      .selectFrom('timer')
      .select(['timer_key', 'kind', 'due_at', 'payload', 'cancelled_at', 'fired_at'])
      .orderBy('timer_key')
      .execute(),
    parked: await db.selectFrom('parked_event').select(['referral_id', 'event_type']).orderBy('id').execute(),
    inbox: (await db.selectFrom('inbox').select('event_id').orderBy('event_id').execute()).map((r) => r.event_id),
  };
}

describe('referral-tracker batches on PostgreSQL: set-based application of whole Kafka batches', () => {
  const databases: DatabaseHandle[] = [];
  const open = async (name: string) => {
    const database = await openSuiteDatabase(name);
    databases.push(database);
    return database;
  };
  afterAll(async () => {
    for (const database of databases) await dropSuiteDatabase(database);
  });

  it.each([
    ['in mapping order', (path: MappedEvent[]) => path],
    // Service events and outcomes first: they park, and apply when the referral is routed, in the
    // routing batch (whether they were parked by an earlier batch or earlier in the same one).
    [
      'referrals last',
      (path: MappedEvent[]) => [
        ...path.filter((e) => e.topic !== 'referrals.v1'),
        ...path.filter((e) => e.topic === 'referrals.v1'),
      ],
    ],
  ])(
    'ends in the same ledger whether a client path (%s) comes event by event, in batches, or in one batch',
    async (_order, order) => {
      const path = order(clientPath(crypto.randomUUID(), 1).events);

      const oneByOne = await open('trk_batch_one');
      const single = tracker(oneByOne);
      for (const e of path) await single.apply([inbound(e)]);
      const inSevens = await open('trk_batch_sevens');
      const sevens = tracker(inSevens);
      for (let at = 0; at < path.length; at += 7) await sevens.apply(path.slice(at, at + 7).map(inbound));
      const whole = await open('trk_batch_whole');
      await tracker(whole).apply(path.map(inbound));

      const expected = await ledgerOf(oneByOne);
      expect(expected.referrals).toEqual([expect.objectContaining({ status: 'completed' })]);
      expect(expected.history.length).toBeGreaterThan(4);
      expect(expected.outcomes.length).toBeGreaterThanOrEqual(4);
      expect(expected.parked).toEqual([]);
      expect(expected.inbox).toHaveLength(new Set(path.map((e) => e.event.id)).size);
      expect(single.commits()).toBeGreaterThan(0);
      expect(await ledgerOf(inSevens)).toEqual(expected);
      expect(await ledgerOf(whole)).toEqual(expected);
    },
    60_000,
  );

  it('applies an event delivered twice in one batch, or again later, once', async () => {
    const database = await open('trk_batch_dupes');
    const { apply } = tracker(database);
    const path = clientPath(crypto.randomUUID(), 2).events.filter((e) => e.topic === 'referrals.v1');
    await apply([...path, ...path].map(inbound));
    const first = await ledgerOf(database);
    await apply(path.map(inbound));
    expect(await ledgerOf(database)).toEqual(first);
    expect(first.inbox).toHaveLength(new Set(path.map((e) => e.event.id)).size);
    expect(first.history.filter((h) => h.business_status === 'routed')).toHaveLength(1);
  });

  it('rolls a whole batch back when one event is refused, so event by event only that one fails', async () => {
    const database = await open('trk_batch_refused');
    const { apply } = tracker(database);
    const path = clientPath(crypto.randomUUID(), 3);
    const referralEvents = path.events.filter((e) => e.topic === 'referrals.v1');
    const response = referralEvents.find((e) => e.event.type === 'ca.on.passerelle.referral.response-recorded')!;
    const stranger = {
      topic: response.topic,
      event: {
        ...response.event,
        id: crypto.randomUUID(),
        data: { ...(response.event.data as ReferralResponse), provider: 'eo:provider-999' },
      },
    };

    const batch = [...referralEvents, stranger].map(inbound);
    await expect(apply(batch)).rejects.toMatchObject({ code: TrackerErrorCode.ActorNotAllowed, retriable: false });
    expect((await ledgerOf(database)).inbox).toEqual([]);

    const refused: string[] = [];
    for (const event of batch)
      await apply([event]).catch((error: unknown) => refused.push(`${event.event.id}:${(error as TrackerError).code}`));
    expect(refused).toEqual([`${stranger.event.id}:${TrackerErrorCode.ActorNotAllowed}`]);
    const ledger = await ledgerOf(database);
    expect(ledger.inbox).toHaveLength(new Set(referralEvents.map((e) => e.event.id)).size);
    expect(ledger.referrals).toEqual([expect.objectContaining({ status: 'accepted' })]);
  });

  it('refuses invalid data before anything of its batch is applied', async () => {
    const database = await open('trk_batch_invalid');
    const { apply } = tracker(database);
    const path = clientPath(crypto.randomUUID(), 4).events.filter((e) => e.topic === 'referrals.v1');
    const broken = {
      topic: path[1].topic,
      event: {
        ...path[1].event,
        id: crypto.randomUUID(),
        data: { ...(path[1].event.data as object), serviceWanted: 'juggling' },
      },
    };
    await expect(apply([...path, broken].map(inbound))).rejects.toMatchObject({ code: TrackerErrorCode.InvalidEvent });
    expect((await ledgerOf(database)).inbox).toEqual([]);
  });

  it('fires due timers as one batch, and leaves an overdue timer whose referral is busy for the next poll', async () => {
    const database = await open('trk_batch_timers');
    const { apply, tracking, outcomes } = tracker(database);
    const store = new LedgerStore();
    const [answered, busy] = [clientPath(crypto.randomUUID(), 6), clientPath(crypto.randomUUID(), 7)];
    // Routed, never answered (the fixtures' deadlines have passed); the first also has a job.
    const routedOnly = (p: ReturnType<typeof clientPath>) =>
      p.events.filter((e) =>
        ['ca.on.passerelle.consent.granted', 'ca.on.passerelle.referral.submitted'].includes(e.event.type),
      );
    const job = answered.events.filter((e) => e.event.type === 'ca.on.passerelle.employment.started');
    await apply([...routedOnly(answered), ...routedOnly(busy), ...job].map(inbound));
    const timers = new DurableTimers(database.db, new DueTimers(store, tracking, outcomes), {
      now: () => new Date('2030-01-01T00:00:00Z'),
    });

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = database.db.transaction().execute(async (trx) => {
      await store.load(trx, { ...noKeys(), referralIds: [busy.referralId] }, () => noKeys());
      locked();
      await held;
    });
    await isLocked;
    expect(await timers.fireDue()).toBe(5); // one overdue, four follow-ups
    release();
    await holder;
    const emitted = async () =>
      (await database.db.selectFrom('outbox').select('event').orderBy('id').execute()).map(
        (r) => r.event as { type: string; subject: string },
      );
    const types = (await emitted()).map((e) => e.type);
    expect(types.filter((t) => t === 'ca.on.passerelle.referral.overdue')).toHaveLength(1);
    expect(types.filter((t) => t === 'ca.on.passerelle.outcome.follow-up-due')).toHaveLength(4);
    expect((await emitted()).find((e) => e.type === 'ca.on.passerelle.referral.overdue')?.subject).toBe(
      answered.referralId,
    );

    expect(await timers.fireDue()).toBe(1);
    expect(
      (await emitted())
        .filter((e) => e.type === 'ca.on.passerelle.referral.overdue')
        .map((e) => e.subject)
        .sort(),
    ).toEqual([answered.referralId, busy.referralId].sort());
    const overdueHistory = await database.db
      .selectFrom('referral_history')
      .select('referral_id')
      .where('actor_org', '=', 'system:timer')
      .execute();
    expect(overdueHistory).toHaveLength(2);
    expect(await timers.fireDue()).toBe(0);
  });

  describe('LedgerStore', () => {
    const store = new LedgerStore();

    it('locks the referrals a batch names until it commits, and timers see them busy', async () => {
      const database = await open('trk_store_locks');
      const path = clientPath(crypto.randomUUID(), 5);
      await tracker(database).apply(path.events.filter((e) => e.topic === 'referrals.v1').map(inbound));
      const absent = crypto.randomUUID();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let loaded!: () => void;
      const isLoaded = new Promise<void>((resolve) => (loaded = resolve));
      const holder = database.db.transaction().execute(async (trx) => {
        await store.load(trx, { ...noKeys(), referralIds: [path.referralId.toUpperCase()] }, () => noKeys());
        loaded();
        await held;
      });
      await isLoaded;
      const seen = await database.db
        .transaction()
        .execute((trx) => store.referralsIfFree(trx, [path.referralId, absent]));
      expect(seen.get(path.referralId)).toBe('busy');
      expect(seen.has(absent)).toBe(false);
      release();
      await holder;
      const free = await database.db.transaction().execute((trx) => store.referralsIfFree(trx, [path.referralId]));
      expect(free.get(path.referralId)).toMatchObject({ referralId: path.referralId, status: 'accepted' });
    });

    it('refuses to write an outcome another transaction superseded after the batch read it (a retriable conflict)', async () => {
      const database = await open('trk_store_conflict');
      const clientId = crypto.randomUUID();
      const outcome: OutcomeMilestone = {
        outcomeId: crypto.randomUUID(),
        clientId,
        program: 'OW',
        outcomeType: 'employment',
        achieved: true,
        observedOn: '2026-01-15',
        reportedBy: 'ow:greater-sudbury',
        source: { system: 'sams', recordId: 'x', recordVersion: 1 },
      };
      const keys = { ...noKeys(), outcomeClients: [clientId] };
      await expect(
        database.db.transaction().execute(async (trx) => {
          const ledger = await store.load(trx, keys, () => noKeys());
          expect(ledger.recordOutcome(outcome, undefined, '2026-01-15T10:00:00Z')).toBe(true);
          // Meanwhile another replica commits a later word on the same milestone.
          await database.db.transaction().execute(async (other) => {
            const theirs = await store.load(other, keys, () => noKeys());
            theirs.recordOutcome({ ...outcome, achieved: false }, undefined, '2026-01-16T10:00:00Z');
            await store.write(other, theirs.changes());
          });
          await store.write(trx, ledger.changes());
        }),
      ).rejects.toMatchObject({ code: TrackerErrorCode.ConcurrentChange, retriable: true });
      expect(await database.db.selectFrom('outcome').select('achieved').execute()).toEqual([{ achieved: false }]);
    });

    it('writes timer schedules and cancels as the calls one after another would leave them', async () => {
      const database = await open('trk_store_timers');
      const clientId = crypto.randomUUID();
      const spec = (key: string) => ({ key, kind: 'k', clientId, dueAt: '2030-01-01T00:00:00Z', payload: { key } });
      await database.db.transaction().execute(async (trx) => {
        const ledger = store.emptyBatch();
        ledger.scheduleTimer(spec('existing'));
        ledger.scheduleTimer(spec('fired'));
        await store.write(trx, ledger.changes());
        await sql`update timer set fired_at = now() where timer_key = 'fired'`.execute(trx);
      });
      await database.db.transaction().execute(async (trx) => {
        const ledger = store.emptyBatch();
        ledger.cancelTimer('existing', '2029-01-01T00:00:00Z'); // hits the row that exists
        ledger.scheduleTimer(spec('existing')); // changes nothing
        ledger.cancelTimer('existing', '2029-06-01T00:00:00Z'); // already cancelled
        ledger.cancelTimer('new', '2029-01-01T00:00:00Z'); // no row yet: nothing
        ledger.scheduleTimer(spec('new'));
        ledger.cancelTimer('fired', '2029-01-01T00:00:00Z'); // fired timers stay fired
        ledger.scheduleTimer(spec('later-cancelled'));
        ledger.cancelTimer('later-cancelled', '2029-02-01T00:00:00Z');
        await store.write(trx, ledger.changes());
      });
      const rows = await database.db
        .selectFrom('timer')
        .select(['timer_key', 'cancelled_at', 'fired_at'])
        .orderBy('timer_key')
        .execute();
      expect(rows.map((r) => [r.timer_key, r.cancelled_at?.toISOString() ?? null, r.fired_at !== null])).toEqual([
        ['existing', '2029-01-01T00:00:00.000Z', false],
        ['fired', null, true],
        ['later-cancelled', '2029-02-01T00:00:00.000Z', false],
        ['new', null, false],
      ]);
    });
  });
});
