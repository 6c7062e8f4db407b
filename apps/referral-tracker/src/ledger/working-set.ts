import { types } from 'pg';
import type { Consent, OutcomeMilestone, Referral } from '@passerelle/contracts';
import type { SerializedOutboxMessage, TimerSpec } from '@passerelle/persistence';

/**
 * The tracker's ledger rows one batch of events touches, in memory: loaded with one select per
 * table (ledger-store.ts), read and changed by the use cases event after event, and written back
 * with one statement per table before the batch commits. Every answer is the one the SQL of the
 * row-at-a-time ledger gave inside the same transaction (same filters, orderings, "latest by event
 * time" rules, uuid columns compared and returned in lower case, dates as PostgreSQL returns
 * them); reading a row that was not loaded is a bug and throws instead of answering "absent".
 */

/** One status change as the history keeps it. */
export interface HistoryEntry {
  referralId: string;
  fromStatus: Referral['status'] | null;
  toStatus: Referral['status'];
  businessStatus: Referral['businessStatus'];
  actor: 'referrer' | 'provider' | 'system';
  actorOrg: string;
  reason?: Referral['statusReason'] | { code: string; text: string };
  eventId: string;
  occurredAt: string;
}

export interface StoredConsent {
  consentId: string;
  clientId: string;
  purpose: string;
  recipients: string[];
  grantedAt: Date;
  expiresOn: Date | null;
  withdrawnAt: Date | null;
}

/** What the ministry report needs of a referral, de-identified facts included. */
export interface ReferralFacts {
  referralId: string;
  clientId: string;
  referrer: string;
  provider: string | null;
  status: string;
  requestedAt: Date;
  acceptedAt: Date | null;
  catchment: string | null;
  providerType: string | null;
  ageBand: string | null;
  stream: string | null;
  snapshot: unknown;
}

export interface SupportRow {
  benefitId: string;
  clientId: string;
  network: string;
  issuedBy: string;
  benefitType: string;
  periodStart: string;
  periodEnd: string | null;
  referralId: string | null;
}

/** What caused a parked event (its inbound event), kept with it. */
export interface ParkedCause {
  eventId: string;
  correlationId?: string;
  occurredAt: string;
}

export interface ParkedEvent {
  type: string;
  data: unknown;
  cause: ParkedCause;
}

export interface ReferralFactsChange {
  catchment?: string;
  providerType?: string;
  ageBand?: string;
  region?: string;
  stream?: string;
  acceptedAt?: string;
}

/** The rows a batch may read, by key (ids in any case; uuids are compared in lower case). */
export interface LedgerKeys {
  /** Referrals by id (locked), with the events parked for them. */
  referralIds: Iterable<string>;
  /** Clients whose referrals may all be read (consent changes, parked events, "served by"). */
  clientReferrals: Iterable<string>;
  consentIds: Iterable<string>;
  spellIds: Iterable<string>;
  /** Clients whose outcomes may be read. */
  outcomeClients: Iterable<string>;
  /** Clients whose supports issued may be read. */
  supportClients: Iterable<string>;
}

export const noKeys = (): LedgerKeys => ({
  referralIds: [],
  clientReferrals: [],
  consentIds: [],
  spellIds: [],
  outcomeClients: [],
  supportClients: [],
});

/** What was loaded: the keys asked for (lower case) and the rows found. */
export interface LoadedLedger {
  scope: {
    referralIds: ReadonlySet<string>;
    clientReferrals: ReadonlySet<string>;
    consentIds: ReadonlySet<string>;
    spellIds: ReadonlySet<string>;
    outcomeClients: ReadonlySet<string>;
    supportClients: ReadonlySet<string>;
  };
  referrals: LoadedReferral[];
  parked: LoadedParkedEvent[];
  consents: LoadedConsent[];
  spells: LoadedSpell[];
  outcomes: LoadedOutcome[];
  supports: SupportRow[];
}

export interface LoadedReferral {
  referralId: string;
  clientId: string;
  referrer: string;
  provider: string | null;
  status: string;
  consentId: string;
  requestedAt: Date;
  /** `requested_at` in microseconds since the epoch (PostgreSQL's precision, for ordering). */
  requestedAtUs: number;
  snapshot: Referral;
  ageBand: string | null;
  region: string | null;
  catchment: string | null;
  providerType: string | null;
  stream: string | null;
  acceptedAt: Date | null;
}

export interface LoadedParkedEvent extends ParkedEvent {
  id: string;
  referralId: string;
  eventTime: Date;
}

export interface LoadedConsent {
  consentId: string;
  clientId: string;
  purpose: string;
  recipients: string[];
  grantedAt: Date;
  /** `expires_on` as PostgreSQL writes a date (YYYY-MM-DD). */
  expiresOn: string | null;
  withdrawnAt: Date | null;
}

export interface LoadedSpell {
  employmentSpellId: string;
  clientId: string;
  referralId: string | null;
  reportedBy: string;
  /** YYYY-MM-DD */
  startDate: string;
  eventTimeUs: number;
}

export interface LoadedOutcome {
  clientId: string;
  outcomeType: string;
  employmentSpellId: string;
  eventTimeUs: number;
}

/** A referral row as it is to be written. */
export interface ReferralWrite {
  referralId: string;
  clientId: string;
  referrer: string;
  consentId: string;
  requestedAt: string;
  provider: string | null;
  status: string;
  businessStatus: string;
  updatedAt: string;
  snapshot: string;
  /** Inserted rows: the version to store; updated rows: how many updates to add (0: state columns unchanged). */
  version: number;
  /** Facts set by this batch (null: keep what the row holds). */
  ageBand: string | null;
  region: string | null;
  catchment: string | null;
  providerType: string | null;
  stream: string | null;
  acceptedAt: string | null;
}

export interface ConsentWrite {
  consentId: string;
  clientId: string;
  purpose: string;
  recipients: string[];
  grantedAt: string;
  expiresOn: string | null;
  withdrawnAt: string | null;
  snapshot: string;
}

export interface SpellWrite {
  employmentSpellId: string;
  clientId: string;
  referralId: string | null;
  reportedBy: string;
  startDate: string;
  eventTime: string;
}

export interface OutcomeWrite {
  clientId: string;
  outcomeType: string;
  employmentSpellId: string;
  outcomeId: string;
  referralId: string | null;
  achieved: boolean;
  observedOn: string;
  eventTime: string;
  reportedBy: string;
  snapshot: string;
}

export interface ParkedWrite {
  referralId: string;
  eventType: string;
  data: string;
  cause: string;
  eventTime: string;
}

export interface TimerCancel {
  key: string;
  at: string;
}

/** Everything a batch changed, one list per statement, in the order the statements must run. */
export interface LedgerChanges {
  insertedReferrals: ReferralWrite[];
  updatedReferrals: ReferralWrite[];
  history: HistoryEntry[];
  consents: ConsentWrite[];
  parkedInserts: ParkedWrite[];
  parkedDeletes: string[];
  spells: SpellWrite[];
  outcomes: OutcomeWrite[];
  supports: SupportRow[];
  /**
   * Timer changes as three statements that end where the row-at-a-time calls would: cancels
   * asked before a key's first schedule (they can only hit a timer that already existed), the
   * schedules (a key's first one; an existing key keeps its row), then the first cancel after it.
   */
  timers: { cancelFirst: TimerCancel[]; schedule: TimerSpec[]; cancelAfter: TimerCancel[] };
  outbox: SerializedOutboxMessage[];
}

/** PostgreSQL's `date` parser as the pool uses it: what a date read back from the ledger is. */
const parseDate = types.getTypeParser(1082, 'text') as (value: string) => Date;
/** A `date` read back as the ledger did (`Date#toISOString`, first ten characters). */
const day = (date: Date): string => date.toISOString().slice(0, 10);

/** uuid columns compare and come back in lower case. */
export const uuidKey = (id: string): string => id.toLowerCase();

/**
 * Microseconds since the epoch of an RFC 3339 time, as PostgreSQL stores it in a timestamptz
 * (fractions below the microsecond rounded): the unit "latest by event time" compares in.
 */
export function microsOf(time: string): number {
  const match = /^(.*?T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(.*)$/i.exec(time);
  const whole = Date.parse(match ? `${match[1]}${match[3]}` : time);
  if (Number.isNaN(whole)) throw new Error(`not a date-time: ${time}`);
  const fraction = match?.[2] === undefined ? 0 : Math.round(Number(`0.${match[2]}`) * 1e6);
  return whole * 1000 + fraction;
}

interface ReferralState {
  referralId: string;
  clientId: string;
  referrer: string;
  consentId: string;
  requestedAt: Date;
  requestedAtUs: number;
  requestedAtText: string;
  provider: string | null;
  status: string;
  snapshot: Referral;
  ageBand: string | null;
  region: string | null;
  catchment: string | null;
  providerType: string | null;
  stream: string | null;
  acceptedAt: Date | null;
  inserted: boolean;
  updates: number;
  /** Fact columns this batch set (written; the others keep their value). */
  factsSet: ReferralFactsChange;
}

interface ParkedState extends ParkedEvent {
  /** The row id when loaded; new rows get no id until written (they would sort after every loaded one). */
  id: string | undefined;
  order: number;
  referralId: string;
  eventTimeMs: number;
}

interface ConsentState extends StoredConsent {
  grantedAtText: string;
  expiresOnText: string | null;
  withdrawnAtText: string | null;
  snapshot: string | null;
}

interface SpellState {
  employmentSpellId: string;
  clientId: string;
  referralId: string | null;
  reportedBy: string;
  startDate: string;
  eventTimeUs: number;
  eventTime: string | null;
}

interface OutcomeState {
  clientId: string;
  outcomeType: string;
  employmentSpellId: string;
  eventTimeUs: number;
  write?: OutcomeWrite;
}

type TimerOp = { schedule: TimerSpec } | { cancel: TimerCancel };

/** Statuses in which a referral has been taken by its provider ("served by" it). */
const SERVED_STATUSES = new Set(['accepted', 'in-progress', 'on-hold', 'completed', 'failed']);

export class WorkingSet {
  private readonly scope: LoadedLedger['scope'];
  private readonly referrals = new Map<string, ReferralState>();
  private readonly parked = new Map<string, ParkedState[]>();
  private readonly unparked: string[] = [];
  private parkedOrder = 0;
  private readonly consents = new Map<string, ConsentState>();
  private readonly changedConsents = new Set<string>();
  private readonly spells = new Map<string, SpellState>();
  private readonly changedSpells = new Set<string>();
  private readonly outcomes = new Map<string, OutcomeState>();
  private readonly changedOutcomes = new Set<string>();
  private readonly supports = new Map<string, SupportRow>();
  private readonly newSupports: SupportRow[] = [];
  private readonly history: HistoryEntry[] = [];
  private readonly timerOps = new Map<string, TimerOp[]>();
  private readonly outbox: SerializedOutboxMessage[] = [];

  constructor(loaded: LoadedLedger) {
    this.scope = loaded.scope;
    for (const r of loaded.referrals) {
      this.referrals.set(r.referralId, {
        ...r,
        requestedAtText: r.requestedAt.toISOString(),
        inserted: false,
        updates: 0,
        factsSet: {},
      });
    }
    // Loaded rows keep their id order within an event time (the order unpark gives them).
    const byId = [...loaded.parked].sort((a, b) => compareSerials(a.id, b.id));
    for (const p of byId) this.addParked({ ...p, order: this.parkedOrder++, eventTimeMs: p.eventTime.getTime() });
    for (const c of loaded.consents) {
      this.consents.set(c.consentId, {
        ...c,
        expiresOn: c.expiresOn === null ? null : parseDate(c.expiresOn),
        grantedAtText: c.grantedAt.toISOString(),
        expiresOnText: c.expiresOn,
        withdrawnAtText: c.withdrawnAt?.toISOString() ?? null,
        snapshot: null,
      });
    }
    for (const s of loaded.spells) this.spells.set(s.employmentSpellId, { ...s, eventTime: null });
    for (const o of loaded.outcomes)
      this.outcomes.set(outcomeKey(o.clientId, o.outcomeType, o.employmentSpellId), { ...o });
    for (const s of loaded.supports) this.supports.set(s.benefitId, s);
  }

  /** A working set with nothing loaded: for work that only writes (history, outbox). */
  static empty(): WorkingSet {
    const none = new Set<string>();
    return new WorkingSet({
      scope: {
        referralIds: none,
        clientReferrals: none,
        consentIds: none,
        spellIds: none,
        outcomeClients: none,
        supportClients: none,
      },
      referrals: [],
      parked: [],
      consents: [],
      spells: [],
      outcomes: [],
      supports: [],
    });
  }

  // --- referrals -------------------------------------------------------------------------

  /** The referral (its current snapshot), or undefined if the ledger has none with this id. */
  referral(referralId: string): Referral | undefined {
    return this.referralRow(referralId)?.snapshot;
  }

  /** Referrals of a client in the given statuses, oldest first (then by id). */
  referralsOfClient(clientId: string, statuses: readonly string[]): Referral[] {
    const client = this.clientInScope(clientId);
    const wanted = new Set(statuses);
    return [...this.referrals.values()]
      .filter((r) => r.clientId === client && wanted.has(r.status))
      .sort((a, b) => a.requestedAtUs - b.requestedAtUs || compareIds(a.referralId, b.referralId))
      .map((r) => r.snapshot);
  }

  insertReferral(referral: Referral): void {
    const key = uuidKey(referral.referralId);
    if (this.referralRow(referral.referralId))
      throw new Error(`referral ${referral.referralId} is already in the ledger`);
    this.referrals.set(key, {
      referralId: key,
      clientId: uuidKey(referral.clientId),
      referrer: referral.referrer,
      consentId: uuidKey(referral.consentId),
      requestedAt: new Date(referral.requestedAt),
      requestedAtUs: microsOf(referral.requestedAt),
      requestedAtText: referral.requestedAt,
      provider: referral.provider ?? null,
      status: referral.status,
      snapshot: referral,
      ageBand: null,
      region: null,
      catchment: null,
      providerType: null,
      stream: null,
      acceptedAt: null,
      inserted: true,
      updates: 0,
      factsSet: {},
    });
  }

  /** Replaces the referral's snapshot and state columns (no row: nothing happens, as an UPDATE). */
  updateReferral(referral: Referral): void {
    const row = this.referralRow(referral.referralId);
    if (!row) return;
    row.snapshot = referral;
    row.provider = referral.provider ?? null;
    row.status = referral.status;
    row.updates += 1;
  }

  record(entry: HistoryEntry): void {
    this.history.push(entry);
  }

  /** Keeps what reports need when a referral is routed (region, catchment, provider type, age band), assessed (stream) or accepted. */
  setReferralFacts(referralId: string, facts: ReferralFactsChange): void {
    const row = this.referralRow(referralId);
    if (!row) return;
    if (facts.catchment !== undefined) row.catchment = row.factsSet.catchment = facts.catchment;
    if (facts.providerType !== undefined) row.providerType = row.factsSet.providerType = facts.providerType;
    if (facts.ageBand !== undefined) row.ageBand = row.factsSet.ageBand = facts.ageBand;
    if (facts.region !== undefined) row.region = row.factsSet.region = facts.region;
    if (facts.stream !== undefined) row.stream = row.factsSet.stream = facts.stream;
    if (facts.acceptedAt !== undefined) {
      row.factsSet.acceptedAt = facts.acceptedAt;
      row.acceptedAt = new Date(facts.acceptedAt);
    }
  }

  referralFacts(referralId: string): ReferralFacts | undefined {
    const row = this.referralRow(referralId);
    if (!row) return undefined;
    return {
      referralId: row.referralId,
      clientId: row.clientId,
      referrer: row.referrer,
      provider: row.provider,
      status: row.status,
      requestedAt: row.requestedAt,
      acceptedAt: row.acceptedAt,
      catchment: row.catchment,
      providerType: row.providerType,
      ageBand: row.ageBand,
      stream: row.stream,
      snapshot: row.snapshot,
    };
  }

  /**
   * The referral an event of `provider` about `clientId` belongs to when the event does not say:
   * the latest referral of that client the provider took.
   */
  referralServedBy(clientId: string, provider: string): string | undefined {
    const client = this.clientInScope(clientId);
    let latest: ReferralState | undefined;
    for (const r of this.referrals.values()) {
      if (r.clientId !== client || r.provider !== provider || !SERVED_STATUSES.has(r.status)) continue;
      if (
        !latest ||
        r.requestedAtUs > latest.requestedAtUs ||
        (r.requestedAtUs === latest.requestedAtUs && compareIds(r.referralId, latest.referralId) > 0)
      )
        latest = r;
    }
    return latest?.referralId;
  }

  // --- parked events ---------------------------------------------------------------------

  /** Keeps an event about a referral not seen yet, to apply when it is recorded. */
  park(referralId: string, event: ParkedEvent): void {
    this.referralInScope(referralId);
    this.addParked({
      ...event,
      id: undefined,
      order: this.parkedOrder++,
      referralId: uuidKey(referralId),
      eventTimeMs: new Date(event.cause.occurredAt).getTime(),
    });
  }

  /** Referrals of a client that are routed and have parked events waiting, by id. */
  routedWithParkedEvents(clientId: string): string[] {
    const client = this.clientInScope(clientId);
    return [...this.referrals.values()]
      .filter((r) => r.clientId === client && r.provider !== null && (this.parked.get(r.referralId)?.length ?? 0) > 0)
      .map((r) => r.referralId)
      .sort(compareIds);
  }

  /** The events parked for a referral, oldest event first, removed from the parking. */
  unpark(referralId: string): ParkedEvent[] {
    const key = this.referralInScope(referralId);
    const waiting = this.parked.get(key) ?? [];
    this.parked.delete(key);
    for (const p of waiting) if (p.id !== undefined) this.unparked.push(p.id);
    return waiting
      .sort((a, b) => a.eventTimeMs - b.eventTimeMs || a.order - b.order)
      .map(({ type, data, cause }) => ({ type, data, cause }));
  }

  // --- consents --------------------------------------------------------------------------

  /** Keeps the latest word on a consent: a grant never undoes a withdrawal already recorded. */
  saveConsent(consent: Consent): void {
    const key = uuidKey(consent.consentId);
    const current = this.consentRow(consent.consentId);
    const withdrawnAtText = current?.withdrawnAtText ?? consent.withdrawnAt ?? null;
    this.consents.set(key, {
      consentId: key,
      // Kept from the first record of the consent, as the upsert leaves them.
      clientId: current?.clientId ?? uuidKey(consent.clientId),
      grantedAt: current?.grantedAt ?? new Date(consent.grantedAt),
      grantedAtText: current?.grantedAtText ?? consent.grantedAt,
      purpose: consent.purpose,
      recipients: [...consent.recipients],
      expiresOn: consent.expiresOn === undefined ? null : parseDate(consent.expiresOn),
      expiresOnText: consent.expiresOn ?? null,
      withdrawnAt: current?.withdrawnAt ?? (consent.withdrawnAt === undefined ? null : new Date(consent.withdrawnAt)),
      withdrawnAtText,
      snapshot: JSON.stringify(consent),
    });
    this.changedConsents.add(key);
  }

  consent(consentId: string): StoredConsent | undefined {
    const row = this.consentRow(consentId);
    if (!row) return undefined;
    return {
      consentId: row.consentId,
      clientId: row.clientId,
      purpose: row.purpose,
      recipients: row.recipients,
      grantedAt: row.grantedAt,
      expiresOn: row.expiresOn,
      withdrawnAt: row.withdrawnAt,
    };
  }

  // --- employment spells, outcomes, supports ---------------------------------------------

  /** Keeps a job; a later word on it (by event time) moves its start date. */
  saveSpell(spell: {
    employmentSpellId: string;
    clientId: string;
    referralId?: string;
    reportedBy: string;
    startDate: string;
    eventTime: string;
  }): void {
    const key = this.spellInScope(spell.employmentSpellId);
    const current = this.spells.get(key);
    const eventTimeUs = microsOf(spell.eventTime);
    if (!current) {
      this.spells.set(key, {
        employmentSpellId: key,
        clientId: uuidKey(spell.clientId),
        referralId: spell.referralId === undefined ? null : uuidKey(spell.referralId),
        reportedBy: spell.reportedBy,
        startDate: spell.startDate,
        eventTimeUs,
        eventTime: spell.eventTime,
      });
    } else if (current.eventTimeUs < eventTimeUs) {
      current.startDate = spell.startDate;
      current.eventTimeUs = eventTimeUs;
      current.eventTime = spell.eventTime;
    } else {
      return;
    }
    this.changedSpells.add(key);
  }

  spellStart(employmentSpellId: string): string | undefined {
    const row = this.spells.get(this.spellInScope(employmentSpellId));
    return row ? day(parseDate(row.startDate)) : undefined;
  }

  /**
   * Records a milestone unless a later word on it (by event time) is already kept: a late or
   * replayed update never overwrites a later one. Returns whether this one is now the latest.
   */
  recordOutcome(outcome: OutcomeMilestone, referralId: string | undefined, eventTime: string): boolean {
    const client = this.outcomeClientInScope(outcome.clientId);
    const spellId = outcome.employmentSpellId ?? '';
    const key = outcomeKey(client, outcome.outcomeType, spellId);
    const current = this.outcomes.get(key);
    const eventTimeUs = microsOf(eventTime);
    if (current && !(current.eventTimeUs < eventTimeUs)) return false;
    this.outcomes.set(key, {
      clientId: client,
      outcomeType: outcome.outcomeType,
      employmentSpellId: spellId,
      eventTimeUs,
      write: {
        clientId: outcome.clientId,
        outcomeType: outcome.outcomeType,
        employmentSpellId: spellId,
        outcomeId: outcome.outcomeId,
        referralId: referralId ?? null,
        achieved: outcome.achieved,
        observedOn: outcome.observedOn,
        eventTime,
        reportedBy: outcome.reportedBy,
        snapshot: JSON.stringify({ ...outcome, ...(referralId !== undefined && { referralId }) }),
      },
    });
    this.changedOutcomes.add(key);
    return true;
  }

  /** Outcome types already recorded for a job. */
  reportedMilestones(clientId: string, employmentSpellId: string): Set<string> {
    const client = this.outcomeClientInScope(clientId);
    const types = new Set<string>();
    for (const o of this.outcomes.values())
      if (o.clientId === client && o.employmentSpellId === employmentSpellId) types.add(o.outcomeType);
    return types;
  }

  /** Saves a support issued; returns the supports of the same type to the same client by another network whose periods overlap. */
  saveSupport(support: SupportRow): SupportRow[] {
    const client = this.supportClientInScope(support.clientId);
    const key = uuidKey(support.benefitId);
    if (!this.supports.has(key)) {
      const row: SupportRow = {
        ...support,
        benefitId: key,
        clientId: uuidKey(support.clientId),
        referralId: support.referralId === null ? null : uuidKey(support.referralId),
      };
      this.supports.set(key, row);
      this.newSupports.push(support);
    }
    const end = support.periodEnd ?? support.periodStart;
    return [...this.supports.values()]
      .filter(
        (r) =>
          r.clientId === client &&
          r.benefitType === support.benefitType &&
          r.benefitId !== key &&
          (support.network === 'eo' ? r.network !== 'eo' : r.network === 'eo') &&
          r.periodStart <= end &&
          (r.periodEnd ?? r.periodStart) >= support.periodStart,
      )
      .sort((a, b) => compareIds(a.benefitId, b.benefitId))
      .map((r) => ({
        ...r,
        periodStart: day(parseDate(r.periodStart)),
        periodEnd: r.periodEnd === null ? null : day(parseDate(r.periodEnd)),
      }));
  }

  // --- what the batch emits and schedules ------------------------------------------------

  /** Events to relay, serialized now: what is emitted cannot change afterwards. */
  emit(messages: ReadonlyArray<{ topic: string; event: object }>): void {
    for (const m of messages) this.outbox.push({ topic: m.topic, json: JSON.stringify(m.event) });
  }

  scheduleTimer(timer: TimerSpec): void {
    this.timerOpsOf(timer.key).push({ schedule: timer });
  }

  cancelTimer(key: string, at: string): void {
    this.timerOpsOf(key).push({ cancel: { key, at } });
  }

  /** What to write, one list per statement. */
  changes(): LedgerChanges {
    const insertedReferrals: ReferralWrite[] = [];
    const updatedReferrals: ReferralWrite[] = [];
    for (const row of this.referrals.values()) {
      const factsChanged = Object.keys(row.factsSet).length > 0;
      if (!row.inserted && row.updates === 0 && !factsChanged) continue;
      const write: ReferralWrite = {
        referralId: row.referralId,
        clientId: row.clientId,
        referrer: row.referrer,
        consentId: row.consentId,
        requestedAt: row.requestedAtText,
        provider: row.provider,
        status: row.status,
        businessStatus: row.snapshot.businessStatus,
        updatedAt: row.snapshot.updatedAt,
        snapshot: JSON.stringify(row.snapshot),
        version: row.inserted ? 1 + row.updates : row.updates,
        ageBand: row.factsSet.ageBand ?? null,
        region: row.factsSet.region ?? null,
        catchment: row.factsSet.catchment ?? null,
        providerType: row.factsSet.providerType ?? null,
        stream: row.factsSet.stream ?? null,
        acceptedAt: row.factsSet.acceptedAt ?? null,
      };
      (row.inserted ? insertedReferrals : updatedReferrals).push(write);
    }

    // New parked rows in the order they were parked: their ids then order events of one time as parking did.
    const parkedInserts = [...this.parked.values()]
      .flat()
      .filter((p) => p.id === undefined)
      .sort((a, b) => a.order - b.order)
      .map((p): ParkedWrite => ({
        referralId: p.referralId,
        eventType: p.type,
        data: JSON.stringify(p.data),
        cause: JSON.stringify(p.cause),
        eventTime: p.cause.occurredAt,
      }));

    const cancelFirst: TimerCancel[] = [];
    const schedule: TimerSpec[] = [];
    const cancelAfter: TimerCancel[] = [];
    for (const ops of this.timerOps.values()) {
      const first = ops.findIndex((op) => 'schedule' in op);
      const before = ops
        .slice(0, first === -1 ? ops.length : first)
        .find((op): op is { cancel: TimerCancel } => 'cancel' in op);
      if (before) cancelFirst.push(before.cancel);
      if (first === -1) continue;
      schedule.push((ops[first] as { schedule: TimerSpec }).schedule);
      const after = ops.slice(first + 1).find((op): op is { cancel: TimerCancel } => 'cancel' in op);
      if (after) cancelAfter.push(after.cancel);
    }

    return {
      insertedReferrals,
      updatedReferrals,
      history: [...this.history],
      consents: [...this.changedConsents].map((key) => {
        const c = this.consents.get(key)!;
        return {
          consentId: c.consentId,
          clientId: c.clientId,
          purpose: c.purpose,
          recipients: c.recipients,
          grantedAt: c.grantedAtText,
          expiresOn: c.expiresOnText,
          withdrawnAt: c.withdrawnAtText,
          snapshot: c.snapshot!,
        };
      }),
      parkedInserts,
      parkedDeletes: [...this.unparked],
      spells: [...this.changedSpells].map((key) => {
        const s = this.spells.get(key)!;
        return {
          employmentSpellId: s.employmentSpellId,
          clientId: s.clientId,
          referralId: s.referralId,
          reportedBy: s.reportedBy,
          startDate: s.startDate,
          eventTime: s.eventTime!,
        };
      }),
      outcomes: [...this.changedOutcomes].map((key) => this.outcomes.get(key)!.write!),
      supports: [...this.newSupports],
      timers: { cancelFirst, schedule, cancelAfter },
      outbox: [...this.outbox],
    };
  }

  // --- scope checks ----------------------------------------------------------------------

  private referralRow(referralId: string): ReferralState | undefined {
    return this.referrals.get(this.referralInScope(referralId));
  }

  /** A referral id whose absence the working set can vouch for (asked for by id, or inserted). */
  private referralInScope(referralId: string): string {
    return inScope('referral', referralId, this.scope.referralIds, this.referrals);
  }

  private clientInScope(clientId: string): string {
    return inScope("client's referrals", clientId, this.scope.clientReferrals);
  }

  private consentRow(consentId: string): ConsentState | undefined {
    return this.consents.get(inScope('consent', consentId, this.scope.consentIds, this.consents));
  }

  private spellInScope(employmentSpellId: string): string {
    return inScope('employment spell', employmentSpellId, this.scope.spellIds, this.spells);
  }

  private outcomeClientInScope(clientId: string): string {
    return inScope("client's outcomes", clientId, this.scope.outcomeClients);
  }

  private supportClientInScope(clientId: string): string {
    return inScope("client's supports", clientId, this.scope.supportClients);
  }

  private addParked(p: ParkedState): void {
    const list = this.parked.get(p.referralId);
    if (list) list.push(p);
    else this.parked.set(p.referralId, [p]);
  }

  private timerOpsOf(key: string): TimerOp[] {
    let ops = this.timerOps.get(key);
    if (!ops) this.timerOps.set(key, (ops = []));
    return ops;
  }
}

function outcomeKey(clientId: string, outcomeType: string, employmentSpellId: string): string {
  return JSON.stringify([clientId, outcomeType, employmentSpellId]);
}

/** Ids as PostgreSQL orders them (lower-case uuids, and text under the C collation: code unit order). */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** bigserial ids (strings of digits). */
function compareSerials(a: string, b: string): number {
  return a.length - b.length || compareIds(a, b);
}

/**
 * The id's key, when the batch loaded it (`loaded`) or created it (`created`): the working set
 * answers only for what it holds, and being asked for anything else is a bug in the keys an event
 * declares, not an absence.
 */
function inScope(
  what: string,
  id: string,
  loaded: { has(key: string): boolean },
  created?: { has(key: string): boolean },
): string {
  const key = uuidKey(id);
  if (!loaded.has(key) && !created?.has(key)) throw outOfScope(what, id);
  return key;
}

function outOfScope(what: string, id: string): Error {
  return new Error(`${what} ${id} was not loaded for this batch (its keys are missing from the event's keys)`);
}
