import { schemaIdForPath, schemaRegistry, dataDir, type Referral } from '@passerelle/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LifecycleError, LifecycleErrorCode } from './lifecycle.error';

/**
 * The referral state machine (DESIGN.md, "Referral lifecycle"). Which transitions exist, who may
 * make them, what reason they need and which event they raise is data
 * (`data/referral-lifecycle.json`); which statuses are terminal is fixed here, because FHIR Task
 * defines it and the rest of the tracker (timers, reports, follow-ups) relies on it. The data
 * file is checked against both when it is loaded.
 */

export type ReferralStatus = Referral['status'];
export type LifecycleActor = 'referrer' | 'provider' | 'system';
/**
 * What a transition asks for: nothing, a code (a decline-reasons code from a provider, a refusal
 * code from the system), or an explanation in words.
 */
export type ReasonRequirement = 'none' | 'coded' | 'text';

export interface StatusChange {
  to: ReferralStatus;
  actor: LifecycleActor;
  reason?: { declineReason?: string; text?: string; refusal?: RefusalReason };
}

/**
 * Why the gateway itself refused a referral it had answered `202` (the `coded` reason of the
 * system's rejection): a code of `codes/referral-change-reasons.json`, the JSON pointer of the
 * field at fault in the referrer's record, and words.
 */
export interface RefusalReason {
  code: string;
  field?: string;
  message: string;
}

export enum LifecycleRefusal {
  IllegalTransition = 'ILLEGAL_TRANSITION',
  ActorNotAllowed = 'ACTOR_NOT_ALLOWED',
  ReasonRequired = 'REASON_REQUIRED',
}

export type TransitionResult =
  { ok: true; status: ReferralStatus; eventType: string } | { ok: false; code: LifecycleRefusal; reason: string };

/** One row of `data/referral-lifecycle.json`. */
export interface LifecycleRule {
  readonly from: ReferralStatus;
  readonly to: ReferralStatus;
  readonly actors: readonly LifecycleActor[];
  readonly reason: ReasonRequirement;
  readonly eventType: string;
  /** Business status the change sets, when it sets one. */
  readonly businessStatus?: Referral['businessStatus'];
  readonly note?: string;
}

interface LifecycleFile {
  transitions: LifecycleRule[];
}

export const LIFECYCLE_SCHEMA_ID = schemaIdForPath('lifecycle/referral-lifecycle.json');
const DECLINE_REASONS_SCHEMA_ID = schemaIdForPath('codes/decline-reasons.json');
/** Same shape as `reason.code` of referral-refusal.json: the gateway's own codes, upper snake case. */
const REFUSAL_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
/** Same bound as `statusReason.text` in the canonical referral: a longer text could not be emitted. */
const MAX_REASON_TEXT = 2000;

// A Record over the status union: the compiler fails here if a status is added to the code table
// without deciding whether it ends the referral.
const TERMINAL: Readonly<Record<ReferralStatus, boolean>> = {
  requested: false,
  accepted: false,
  'in-progress': false,
  'on-hold': false,
  rejected: true,
  completed: true,
  failed: true,
  cancelled: true,
  'entered-in-error': true,
};

const STATUSES = Object.keys(TERMINAL) as ReferralStatus[];

/** Statuses a referral can still leave (FHIR Task non-terminal statuses), in lifecycle order. */
export const OPEN_STATUSES: readonly ReferralStatus[] = Object.freeze(STATUSES.filter((status) => !TERMINAL[status]));

export function isTerminal(status: ReferralStatus): boolean {
  // Guarded lookup: statuses arrive from events, where the type is only a promise.
  return Object.hasOwn(TERMINAL, status) && TERMINAL[status];
}

/** A loaded, checked lifecycle table. */
export class ReferralLifecycle {
  readonly rules: readonly LifecycleRule[];
  /** The rows of each (from, to) pair: one, or several with disjoint actors (a provider's decline, the system's refusal). */
  private readonly byPair = new Map<string, LifecycleRule[]>();

  /** Checks the rules against the terminal statuses; `source` names them in errors. */
  constructor(rules: readonly LifecycleRule[], source = 'lifecycle rules') {
    const problems: string[] = [];
    rules.forEach((rule, i) => {
      const key = pairKey(rule.from, rule.to);
      const same = this.byPair.get(key) ?? [];
      if (same.some((other) => other.actors.some((actor) => rule.actors.includes(actor))))
        problems.push(`${source}#/transitions/${i} repeats ${rule.from} -> ${rule.to}`);
      if (isTerminal(rule.from)) problems.push(`${source}#/transitions/${i} leaves ${rule.from}, a terminal status`);
      if (rule.from === rule.to) problems.push(`${source}#/transitions/${i} does not change the status (${rule.from})`);
      this.byPair.set(key, [...same, rule]);
    });
    for (const status of OPEN_STATUSES) {
      // An open status without an exit would strand referrals there forever.
      if (!rules.some((rule) => rule.from === status)) problems.push(`${source} has no transition out of ${status}`);
    }
    if (problems.length > 0) throw new LifecycleError(LifecycleErrorCode.Inconsistent, problems);
    this.rules = Object.freeze(
      rules.map((rule) => Object.freeze({ ...rule, actors: Object.freeze([...rule.actors]) })),
    );
  }

  /** The row allowing `from` -> `to` to `actor` (without an actor: the pair's first row), if any. */
  rule(from: ReferralStatus, to: ReferralStatus, actor?: LifecycleActor): LifecycleRule | undefined {
    const rows = this.byPair.get(pairKey(from, to));
    return actor === undefined ? rows?.[0] : rows?.find((row) => row.actors.includes(actor));
  }

  transition(from: ReferralStatus, change: StatusChange): TransitionResult {
    const { to, actor } = change;
    const rows = this.byPair.get(pairKey(from, to));
    if (rows === undefined) {
      return refuse(
        LifecycleRefusal.IllegalTransition,
        `A referral cannot move from ${from} to ${to} (asked by ${actor}): ${this.whyIllegal(from, to)}.`,
      );
    }
    const rule = rows.find((row) => row.actors.includes(actor));
    if (rule === undefined) {
      return refuse(
        LifecycleRefusal.ActorNotAllowed,
        `The ${actor} may not move a referral from ${from} to ${to}: only ${listOf(rows.flatMap((row) => row.actors))} may.`,
      );
    }
    const missing = missingReason(rule.reason, change.reason, actor);
    if (missing !== undefined) {
      return refuse(
        LifecycleRefusal.ReasonRequired,
        `Moving a referral from ${from} to ${to} (by ${actor}) needs ${missing}.`,
      );
    }
    return { ok: true, status: to, eventType: rule.eventType };
  }

  private whyIllegal(from: ReferralStatus, to: ReferralStatus): string {
    if (isTerminal(from)) return `${from} is terminal`;
    if (from === to) return `it is already ${from}`;
    const exits = this.rules.filter((rule) => rule.from === from).map((rule) => rule.to);
    if (exits.length === 0) return `${from} is not a referral status`;
    return `from ${from} it can only move to ${listOf(exits)}`;
  }
}

/** The default location of the table: `data/` beside the repository's `schemas/`. */
export function defaultLifecycleFile(): string {
  return join(dataDir(), 'referral-lifecycle.json');
}

/** Reads, schema-validates and checks a lifecycle table; throws a {@link LifecycleError}. */
export function loadReferralLifecycle(file: string = defaultLifecycleFile()): ReferralLifecycle {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LifecycleError(LifecycleErrorCode.Unreadable, [`${file}: ${(error as Error).message}`]);
  }
  const result = schemaRegistry().validate<LifecycleFile>(LIFECYCLE_SCHEMA_ID, data);
  if (!result.ok) {
    throw new LifecycleError(
      LifecycleErrorCode.SchemaViolation,
      result.errors.map((e) => `${file}#${e.pointer} ${e.message}`),
    );
  }
  return new ReferralLifecycle(result.value.transitions, file);
}

let defaultLifecycle: ReferralLifecycle | undefined;

/** The table of `data/referral-lifecycle.json`, read and checked on first use only. */
function lifecycle(): ReferralLifecycle {
  defaultLifecycle ??= loadReferralLifecycle();
  return defaultLifecycle;
}

/**
 * Applies `change` to a referral in `from`: the new status and the event type to emit, or why the
 * change is refused (illegal transition, actor not allowed, reason missing — checked in that
 * order, so the refusal names the most fundamental problem).
 */
export function transition(from: ReferralStatus, change: StatusChange): TransitionResult {
  return lifecycle().transition(from, change);
}

/**
 * The business status a referral takes when `actor` (without one: the pair's first row) moves it
 * from `from` to `to` (undefined: it keeps its own).
 */
export function businessStatusAfter(
  from: ReferralStatus,
  to: ReferralStatus,
  actor?: LifecycleActor,
): Referral['businessStatus'] | undefined {
  return lifecycle().rule(from, to, actor)?.businessStatus;
}

function missingReason(
  requirement: ReasonRequirement,
  reason: StatusChange['reason'],
  actor: LifecycleActor,
): string | undefined {
  switch (requirement) {
    case 'none':
      return undefined;
    case 'coded': {
      // The system codes its own refusals; decline reasons are a provider's words for its choice.
      if (actor === 'system') {
        const refusal = reason?.refusal;
        if (refusal === undefined || !REFUSAL_CODE.test(refusal.code) || refusal.message.trim() === '')
          return 'a coded refusal reason (statusReason.refusal: an upper-case code and a message)';
        return undefined;
      }
      const code = reason?.declineReason;
      if (code === undefined || code === '') return 'a coded decline reason (a decline-reasons code)';
      if (!schemaRegistry().validate(DECLINE_REASONS_SCHEMA_ID, code).ok) {
        return `a coded decline reason, and ${JSON.stringify(code.slice(0, 60))} is not a decline-reasons code`;
      }
      return undefined;
    }
    case 'text': {
      const text = reason?.text;
      if (text === undefined || text.trim() === '') return 'a reason in words (statusReason.text)';
      if (text.length > MAX_REASON_TEXT)
        return `a reason in words of at most ${MAX_REASON_TEXT} characters (got ${text.length})`;
      return undefined;
    }
  }
}

function refuse(code: LifecycleRefusal, reason: string): TransitionResult {
  return { ok: false, code, reason };
}

function pairKey(from: string, to: string): string {
  return `${from}\u0000${to}`;
}

function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
