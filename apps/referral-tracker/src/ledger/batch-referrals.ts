import type { Referral } from '@passerelle/contracts';
import { TAKEN_ON_STATUSES } from '@passerelle/lifecycle';
import type { LedgerChanges, ParkedWrite, ReferralWrite } from './ledger-changes';
import { compareIds, compareSerials, inScope, microsOf, uuidKey, type LoadedScope } from './ledger-keys';
import type { LoadedParkedEvent, LoadedReferral, ParkedEvent, ReferralFacts, ReferralFactsChange } from './ledger-rows';

interface ReferralState extends LoadedReferral {
  requestedAtText: string;
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

/** Statuses are text in the ledger's rows. */
const TAKEN_ON: ReadonlySet<string> = TAKEN_ON_STATUSES;

/**
 * A batch's referrals and the events parked for them: answers as the ledger's SQL did (filters,
 * orderings, uuids in lower case) and keeps what changed, for {@link LedgerBatch}.
 */
export class BatchReferrals {
  private readonly referrals = new Map<string, ReferralState>();
  private readonly parked = new Map<string, ParkedState[]>();
  private readonly unparked: string[] = [];
  private parkedOrder = 0;

  constructor(
    private readonly scope: LoadedScope,
    referrals: readonly LoadedReferral[],
    parked: readonly LoadedParkedEvent[],
  ) {
    for (const r of referrals) {
      this.referrals.set(r.referralId, {
        ...r,
        requestedAtText: r.requestedAt.toISOString(),
        inserted: false,
        updates: 0,
        factsSet: {},
      });
    }
    // Loaded rows keep their id order within an event time (the order unpark gives them).
    const byId = [...parked].sort((a, b) => compareSerials(a.id, b.id));
    for (const p of byId) this.addParked({ ...p, order: this.parkedOrder++, eventTimeMs: p.eventTime.getTime() });
  }

  referral(referralId: string): Referral | undefined {
    return this.row(referralId)?.snapshot;
  }

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
    if (this.row(referral.referralId)) throw new Error(`referral ${referral.referralId} is already in the ledger`);
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

  updateReferral(referral: Referral): void {
    const row = this.row(referral.referralId);
    if (!row) return;
    row.snapshot = referral;
    row.provider = referral.provider ?? null;
    row.status = referral.status;
    row.updates += 1;
  }

  setReferralFacts(referralId: string, facts: ReferralFactsChange): void {
    const row = this.row(referralId);
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
    const row = this.row(referralId);
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

  referralServedBy(clientId: string, provider: string): string | undefined {
    const client = this.clientInScope(clientId);
    let latest: ReferralState | undefined;
    for (const r of this.referrals.values()) {
      if (r.clientId !== client || r.provider !== provider || !TAKEN_ON.has(r.status)) continue;
      if (
        !latest ||
        r.requestedAtUs > latest.requestedAtUs ||
        (r.requestedAtUs === latest.requestedAtUs && compareIds(r.referralId, latest.referralId) > 0)
      )
        latest = r;
    }
    return latest?.referralId;
  }

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

  routedWithParkedEvents(clientId: string): string[] {
    const client = this.clientInScope(clientId);
    return [...this.referrals.values()]
      .filter((r) => r.clientId === client && r.provider !== null && (this.parked.get(r.referralId)?.length ?? 0) > 0)
      .map((r) => r.referralId)
      .sort(compareIds);
  }

  unpark(referralId: string): ParkedEvent[] {
    const key = this.referralInScope(referralId);
    const waiting = this.parked.get(key) ?? [];
    this.parked.delete(key);
    for (const p of waiting) if (p.id !== undefined) this.unparked.push(p.id);
    return waiting
      .sort((a, b) => a.eventTimeMs - b.eventTimeMs || a.order - b.order)
      .map(({ type, data, cause }) => ({ type, data, cause }));
  }

  /** The referral and parked-event statements of the batch's changes. */
  changes(): Pick<LedgerChanges, 'insertedReferrals' | 'updatedReferrals' | 'parkedInserts' | 'parkedDeletes'> {
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
    return { insertedReferrals, updatedReferrals, parkedInserts, parkedDeletes: [...this.unparked] };
  }

  private row(referralId: string): ReferralState | undefined {
    return this.referrals.get(this.referralInScope(referralId));
  }

  /** A referral id whose absence the batch can vouch for (asked for by id, or inserted). */
  private referralInScope(referralId: string): string {
    return inScope('referral', referralId, this.scope.referralIds, this.referrals);
  }

  private clientInScope(clientId: string): string {
    return inScope("client's referrals", clientId, this.scope.clientReferrals);
  }

  private addParked(p: ParkedState): void {
    const list = this.parked.get(p.referralId);
    if (list) list.push(p);
    else this.parked.set(p.referralId, [p]);
  }
}
