import { loadAsyncApiDocument, schemaRegistry, schemasDir, type JsonValue } from '@passerelle/contracts';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LifecycleError, LifecycleErrorCode } from './lifecycle.error';
import {
  LIFECYCLE_SCHEMA_ID,
  LifecycleRefusal,
  OPEN_STATUSES,
  ReferralLifecycle,
  businessStatusAfter,
  defaultLifecycleFile,
  isTerminal,
  loadReferralLifecycle,
  transition,
  type LifecycleActor,
  type LifecycleRule,
  type ReferralStatus,
  type StatusChange,
} from './referral-lifecycle';

const DATA_FILE = join(dirname(schemasDir()), 'data', 'referral-lifecycle.json');
const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

/** The rows as written, read without the module under test: the oracle of the property tests. */
const ROWS = (readJson(DATA_FILE) as { transitions: LifecycleRule[] }).transitions;
const STATUSES = (readJson(join(schemasDir(), 'codes', 'referral-statuses.json')) as { enum: ReferralStatus[] }).enum;
const DECLINE_CODES = (readJson(join(schemasDir(), 'codes', 'decline-reasons.json')) as { enum: string[] }).enum;
const ACTORS: LifecycleActor[] = ['referrer', 'provider', 'system'];
const TERMINAL: ReferralStatus[] = ['rejected', 'completed', 'failed', 'cancelled', 'entered-in-error'];

/** A reason satisfying each requirement. */
const REASON_FOR = {
  none: undefined,
  // A provider's decline reason, and the system's own refusal code: each actor reads its own.
  coded: { declineReason: 'no-capacity', refusal: { code: 'CONSENT_NOT_FOUND', message: 'not in /consents' } },
  text: { text: 'Client moved out of the area.' },
} as const;

// DESIGN.md "Referral lifecycle", written out independently of the data file: from, to, actors,
// reason, event verb.
const P: LifecycleActor[] = ['provider'];
const ANYONE: LifecycleActor[] = ['referrer', 'provider', 'system'];
type DesignRow = [ReferralStatus, ReferralStatus, readonly LifecycleActor[], LifecycleRule['reason'], string];
const DESIGN_TABLE: DesignRow[] = [
  ['requested', 'accepted', P, 'none', 'accepted'],
  ['requested', 'rejected', P, 'coded', 'rejected'],
  // A referral the gateway answered 202 and then refused: rejected by the system, coded.
  ['requested', 'rejected', ['system'], 'coded', 'rejected'],
  ['accepted', 'in-progress', P, 'none', 'started'],
  ['accepted', 'on-hold', P, 'text', 'on-hold'],
  ['in-progress', 'on-hold', P, 'text', 'on-hold'],
  ['on-hold', 'in-progress', P, 'none', 'resumed'],
  ...(['accepted', 'in-progress', 'on-hold'] as const).flatMap((from): DesignRow[] => [
    [from, 'completed', P, 'none', 'completed'],
    [from, 'failed', P, 'text', 'failed'],
  ]),
  ...OPEN_STATUSES.flatMap((from): DesignRow[] => [
    [from, 'cancelled', ANYONE, 'text', 'cancelled'],
    [from, 'entered-in-error', ['referrer'], 'none', 'entered-in-error'],
  ]),
];

const change = (to: ReferralStatus, actor: LifecycleActor, reason?: StatusChange['reason']): StatusChange =>
  reason === undefined ? { to, actor } : { to, actor, reason };

describe('referral lifecycle data', () => {
  it('is found beside schemas/ and validates against its schema', () => {
    expect(defaultLifecycleFile()).toBe(DATA_FILE);
    const data = readJson(DATA_FILE);
    expect(schemaRegistry().validate(LIFECYCLE_SCHEMA_ID, data)).toEqual({ ok: true, value: data });
  });

  it('gives the business status a change sets, from the data file, and none where the status keeps its own', () => {
    expect(businessStatusAfter('requested', 'accepted')).toBe('accepted');
    expect(businessStatusAfter('requested', 'rejected')).toBe('declined');
    expect(businessStatusAfter('requested', 'rejected', 'provider')).toBe('declined');
    expect(businessStatusAfter('requested', 'rejected', 'system')).toBe('refused-by-gateway');
    expect(businessStatusAfter('requested', 'rejected', 'referrer')).toBeUndefined();
    expect(businessStatusAfter('in-progress', 'cancelled')).toBe('fulfillment-cancelled');
    expect(businessStatusAfter('on-hold', 'completed')).toBe('fulfillment-completed');
    expect(businessStatusAfter('accepted', 'in-progress')).toBeUndefined();
    expect(businessStatusAfter('completed', 'accepted')).toBeUndefined(); // no such transition
  });

  it('says exactly what DESIGN.md says', () => {
    const key = (from: string, to: string) => `${from} -> ${to}`;
    const fromFile = ROWS.map((r) => [key(r.from, r.to), [...r.actors].sort(), r.reason, r.eventType]).sort();
    const fromDesign = DESIGN_TABLE.map(([from, to, actors, reason, verb]) => [
      key(from, to),
      [...actors].sort(),
      reason,
      `ca.on.passerelle.referral.${verb}`,
    ]).sort();
    expect(fromFile).toEqual(fromDesign);
  });

  it('emits only event types declared in asyncapi.yaml', () => {
    const consts = new Set<string>();
    const visit = (node: JsonValue): void => {
      if (Array.isArray(node)) {
        node.forEach(visit);
        return;
      }
      if (node === null || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        if (k === 'const' && typeof v === 'string') consts.add(v);
        visit(v);
      }
    };
    visit(loadAsyncApiDocument());
    for (const row of ROWS)
      expect({ type: row.eventType, declared: consts.has(row.eventType) }).toEqual({
        type: row.eventType,
        declared: true,
      });
  });
});

describe('transition', () => {
  describe.each(ROWS.map((row) => [`${row.from} -> ${row.to}`, row] as const))('%s', (_name, row) => {
    it.each(row.actors.map((a) => [a]))('is allowed to the %s, emitting its event', (actor) => {
      expect(transition(row.from, change(row.to, actor, REASON_FOR[row.reason]))).toEqual({
        ok: true,
        status: row.to,
        eventType: row.eventType,
      });
    });

    // Another row of the same pair may allow an actor this one does not (provider vs system rejection).
    const others = ACTORS.filter(
      (a) => !ROWS.some((r) => r.from === row.from && r.to === row.to && r.actors.includes(a)),
    );
    if (others.length > 0) {
      it.each(others.map((a) => [a]))('is refused to the %s', (actor) => {
        const result = transition(row.from, change(row.to, actor, REASON_FOR[row.reason]));
        expect(result).toMatchObject({ ok: false, code: LifecycleRefusal.ActorNotAllowed });
        if (!result.ok)
          expect(result.reason).toContain(`${actor} may not move a referral from ${row.from} to ${row.to}`);
      });
    }

    if (row.reason !== 'none') {
      it(`needs a ${row.reason} reason`, () => {
        const result = transition(row.from, change(row.to, row.actors[0]));
        expect(result).toMatchObject({ ok: false, code: LifecycleRefusal.ReasonRequired });
        if (!result.ok) {
          expect(result.reason).toContain(row.from);
          expect(result.reason).toContain(row.to);
          expect(result.reason).toContain(row.actors[0]);
        }
      });
    }
  });

  it.each(TERMINAL.flatMap((from) => STATUSES.map((to) => [from, to] as const)))(
    'refuses %s -> %s: terminal',
    (from, to) => {
      for (const actor of ACTORS) {
        const result = transition(from, change(to, actor, { declineReason: 'other', text: 'because' }));
        expect(result).toEqual({
          ok: false,
          code: LifecycleRefusal.IllegalTransition,
          reason: `A referral cannot move from ${from} to ${to} (asked by ${actor}): ${from} is terminal.`,
        });
      }
    },
  );

  it.each([
    ['requested', 'in-progress'],
    ['requested', 'on-hold'],
    ['requested', 'completed'],
    ['requested', 'failed'],
    ['accepted', 'requested'],
    ['accepted', 'rejected'],
    ['in-progress', 'accepted'],
    ['on-hold', 'accepted'],
    ['in-progress', 'requested'],
  ] as const)('refuses the skip or step back %s -> %s, naming the ways out', (from, to) => {
    const result = transition(from, change(to, 'provider', { declineReason: 'other', text: 'because' }));
    expect(result).toMatchObject({ ok: false, code: LifecycleRefusal.IllegalTransition });
    if (!result.ok)
      expect(result.reason).toMatch(
        new RegExp(
          `^A referral cannot move from ${from} to ${to} \\(asked by provider\\): from ${from} it can only move to `,
        ),
      );
  });

  it.each(OPEN_STATUSES.map((s) => [s]))('refuses staying in %s', (status) => {
    expect(transition(status, change(status, 'provider', { text: 'x' }))).toEqual({
      ok: false,
      code: LifecycleRefusal.IllegalTransition,
      reason: `A referral cannot move from ${status} to ${status} (asked by provider): it is already ${status}.`,
    });
  });

  it('refuses an unknown status coming from an untyped event', () => {
    expect(transition('draft' as ReferralStatus, change('requested', 'referrer'))).toMatchObject({
      ok: false,
      code: LifecycleRefusal.IllegalTransition,
      reason: expect.stringContaining('draft is not a referral status') as string,
    });
  });

  it('checks the actor before the reason', () => {
    expect(transition('requested', change('rejected', 'referrer'))).toMatchObject({
      code: LifecycleRefusal.ActorNotAllowed,
    });
    expect(transition('requested', change('accepted', 'system'))).toEqual({
      ok: false,
      code: LifecycleRefusal.ActorNotAllowed,
      reason: 'The system may not move a referral from requested to accepted: only provider may.',
    });
    expect(transition('accepted', change('entered-in-error', 'provider'))).toMatchObject({
      code: LifecycleRefusal.ActorNotAllowed,
    });
    expect(transition('in-progress', change('completed', 'referrer'))).toMatchObject({
      code: LifecycleRefusal.ActorNotAllowed,
    });
  });

  describe('reasons', () => {
    it('refuses a decline without a decline-reasons code, even with text', () => {
      for (const reason of [undefined, {}, { text: 'full' }, { declineReason: '' }]) {
        expect(transition('requested', change('rejected', 'provider', reason))).toEqual({
          ok: false,
          code: LifecycleRefusal.ReasonRequired,
          reason:
            'Moving a referral from requested to rejected (by provider) needs a coded decline reason (a decline-reasons code).',
        });
      }
    });

    it("refuses the system's rejection (a refusal by the gateway) without a refusal code, even with a decline code", () => {
      const needs =
        'Moving a referral from requested to rejected (by system) needs a coded refusal reason (statusReason.refusal: an upper-case code and a message).';
      for (const reason of [
        undefined,
        { declineReason: 'other' },
        { refusal: { code: 'consent-not-found', message: 'lower case is a decline code, not a refusal code' } },
        { refusal: { code: 'CONSENT_NOT_FOUND', message: '  ' } },
      ]) {
        expect(transition('requested', change('rejected', 'system', reason))).toEqual({
          ok: false,
          code: LifecycleRefusal.ReasonRequired,
          reason: needs,
        });
      }
      expect(
        transition('requested', change('rejected', 'system', { refusal: { code: 'REFERRAL_REFUSED', message: 'x' } })),
      ).toEqual({ ok: true, status: 'rejected', eventType: 'ca.on.passerelle.referral.rejected' });
    });

    it('refuses the system rejecting a referral that already moved on (no row from accepted)', () => {
      const refusal = { code: 'CONSENT_NOT_FOUND', message: 'x' };
      expect(transition('accepted', change('rejected', 'system', { refusal }))).toMatchObject({
        ok: false,
        code: LifecycleRefusal.IllegalTransition,
      });
    });

    it('refuses a decline with a code outside the table', () => {
      const result = transition('requested', change('rejected', 'provider', { declineReason: 'NC' }));
      expect(result).toEqual({
        ok: false,
        code: LifecycleRefusal.ReasonRequired,
        reason:
          'Moving a referral from requested to rejected (by provider) needs a coded decline reason, and "NC" is not a decline-reasons code.',
      });
    });

    it.each(DECLINE_CODES.map((c) => [c]))('accepts the decline code %s', (code) => {
      expect(transition('requested', change('rejected', 'provider', { declineReason: code }))).toMatchObject({
        ok: true,
        status: 'rejected',
      });
    });

    it.each([
      ['in-progress', 'on-hold', 'provider'],
      ['on-hold', 'failed', 'provider'],
      ['requested', 'cancelled', 'system'],
      ['accepted', 'cancelled', 'referrer'],
    ] as const)('refuses %s -> %s without a text, a blank one or a too long one', (from, to, actor) => {
      for (const reason of [undefined, {}, { text: '' }, { text: ' \n\t' }, { declineReason: 'other' }]) {
        expect(transition(from, change(to, actor, reason))).toEqual({
          ok: false,
          code: LifecycleRefusal.ReasonRequired,
          reason: `Moving a referral from ${from} to ${to} (by ${actor}) needs a reason in words (statusReason.text).`,
        });
      }
      expect(transition(from, change(to, actor, { text: 'x'.repeat(2001) }))).toMatchObject({
        code: LifecycleRefusal.ReasonRequired,
        reason: expect.stringContaining('at most 2000 characters') as string,
      });
      expect(transition(from, change(to, actor, { text: 'x'.repeat(2000) }))).toMatchObject({ ok: true, status: to });
    });

    it('lets the tracker cancel on consent withdrawal', () => {
      expect(transition('in-progress', change('cancelled', 'system', { text: 'Consent withdrawn.' }))).toEqual({
        ok: true,
        status: 'cancelled',
        eventType: 'ca.on.passerelle.referral.cancelled',
      });
    });

    it('ignores a reason where none is needed', () => {
      expect(transition('accepted', change('in-progress', 'provider', { text: 'Action plan signed.' }))).toEqual({
        ok: true,
        status: 'in-progress',
        eventType: 'ca.on.passerelle.referral.started',
      });
    });
  });

  describe('properties', () => {
    const status = fc.constantFrom(...STATUSES);
    const actor = fc.constantFrom(...ACTORS);
    const reason = fc.option(
      fc.record(
        {
          declineReason: fc.option(fc.oneof(fc.constantFrom(...DECLINE_CODES), fc.string({ maxLength: 12 })), {
            nil: undefined,
          }),
          text: fc.option(fc.oneof(fc.constantFrom('', '  ', 'x'.repeat(2001)), fc.string({ maxLength: 20 })), {
            nil: undefined,
          }),
        },
        { requiredKeys: [] },
      ),
      { nil: undefined },
    );

    const rowAllows = (from: ReferralStatus, c: StatusChange): boolean => {
      const row = ROWS.find((r) => r.from === from && r.to === c.to);
      if (row === undefined || !row.actors.includes(c.actor)) return false;
      if (row.reason === 'coded') return DECLINE_CODES.includes(c.reason?.declineReason ?? '');
      if (row.reason === 'text') return (c.reason?.text ?? '').trim() !== '' && (c.reason?.text ?? '').length <= 2000;
      return true;
    };

    it('is ok exactly when a row of the file allows the change, with that row’s event', () => {
      fc.assert(
        fc.property(status, status, actor, reason, (from, to, who, why) => {
          const c = change(to, who, why);
          const result = transition(from, c);
          expect(result.ok).toBe(rowAllows(from, c));
          if (result.ok) {
            expect(result.status).toBe(to);
            expect(result.eventType).toBe(ROWS.find((r) => r.from === from && r.to === to)?.eventType);
          } else {
            expect(result.reason).toContain(from);
            expect(result.reason).toContain(to);
            expect(result.reason).toContain(who);
          }
        }),
        { numRuns: 2000 },
      );
    });

    it('never leaves a terminal status, along any walk', () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(status, actor, reason), { maxLength: 12 }), (steps) => {
          let current: ReferralStatus = 'requested';
          for (const [to, who, why] of steps) {
            const result = transition(current, change(to, who, why));
            if (isTerminal(current)) expect(result.ok).toBe(false);
            if (result.ok) current = result.status;
          }
        }),
      );
    });
  });
});

describe('isTerminal and OPEN_STATUSES', () => {
  it('splits the statuses into open and terminal ones', () => {
    expect(OPEN_STATUSES).toEqual(['requested', 'accepted', 'in-progress', 'on-hold']);
    expect(STATUSES.filter(isTerminal).sort()).toEqual([...TERMINAL].sort());
    expect(Object.isFrozen(OPEN_STATUSES)).toBe(true);
    expect(isTerminal('draft' as ReferralStatus)).toBe(false);
  });

  it('agrees with the file: a status is open exactly when a row leaves it', () => {
    for (const s of STATUSES)
      expect({ s, open: ROWS.some((r) => r.from === s) }).toEqual({ s, open: OPEN_STATUSES.includes(s) });
  });
});

describe('loadReferralLifecycle', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lifecycle-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, content: unknown): string => {
    const file = join(dir, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };
  const errorOf = (file: string): LifecycleError => {
    try {
      loadReferralLifecycle(file);
    } catch (error) {
      if (error instanceof LifecycleError) return error;
      throw error;
    }
    throw new Error(`${file} loaded`);
  };

  it('loads the repository table, frozen', () => {
    const table = loadReferralLifecycle();
    expect(table.rules).toHaveLength(ROWS.length);
    expect(Object.isFrozen(table.rules)).toBe(true);
    expect(table.rule('requested', 'rejected')?.reason).toBe('coded');
    expect(table.rule('completed', 'requested')).toBeUndefined();
  });

  it('refuses a missing or non-JSON file', () => {
    expect(errorOf(join(dir, 'nope.json')).code).toBe(LifecycleErrorCode.Unreadable);
    expect(errorOf(write('broken.json', '{"transitions": [')).code).toBe(LifecycleErrorCode.Unreadable);
  });

  it('refuses a file its schema refuses, naming the pointer', () => {
    const rows = structuredClone(ROWS);
    (rows[1] as unknown as { reason: string }).reason = 'maybe';
    (rows[2] as unknown as { actors: string[] }).actors = [];
    const error = errorOf(write('schema.json', { transitions: rows }));
    expect(error.code).toBe(LifecycleErrorCode.SchemaViolation);
    expect(error.reasons).toEqual(
      expect.arrayContaining([
        expect.stringContaining('#/transitions/1/reason'),
        expect.stringContaining('#/transitions/2/actors'),
      ]),
    );
  });

  it('refuses a repeated pair, a row out of a terminal status and an open status without exit', () => {
    const leaving: LifecycleRule = {
      from: 'completed',
      to: 'in-progress',
      actors: ['provider'],
      reason: 'none',
      eventType: 'ca.on.passerelle.referral.resumed',
    };
    const withoutOnHoldExits = ROWS.filter((r) => r.from !== 'on-hold');
    const file = write('inconsistent.json', { transitions: [...withoutOnHoldExits, ROWS[0], leaving] });
    const error = errorOf(file);
    expect(error.code).toBe(LifecycleErrorCode.Inconsistent);
    expect(error.reasons).toEqual([
      `${file}#/transitions/${withoutOnHoldExits.length} repeats requested -> accepted`,
      `${file}#/transitions/${withoutOnHoldExits.length + 1} leaves completed, a terminal status`,
      `${file} has no transition out of on-hold`,
    ]);
    expect(error.message).toContain('LIFECYCLE_DATA_INCONSISTENT');
  });

  it('refuses a row that does not change the status', () => {
    expect(() => new ReferralLifecycle([...ROWS, { ...ROWS[0], to: 'requested' }])).toThrow(
      'does not change the status (requested)',
    );
  });
});
