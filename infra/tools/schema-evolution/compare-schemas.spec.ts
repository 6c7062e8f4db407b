import type { JsonObject } from '@passerelle/contracts';
import type { BreakingKind } from './breaking-change';
import { compareContracts } from './compare-contracts';
import { contractTree } from './contract-tree';

// The evolution check on small in-memory schemas: each kind of breaking change is caught, the
// additive changes pass, and a breaking change passes with a new major version in the $id.

const THING = 'canonical/thing.json';
const idOf = (path: string, major = 1) => `https://schemas.passerelle.ontario.ca/v${String(major)}/${path}`;
const schemaFile = (path: string, body: JsonObject, major = 1): JsonObject => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: idOf(path, major),
  ...body,
});

/** A released schema; tests change a copy of it. */
const thing = (): JsonObject => ({
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string', maxLength: 36 },
    status: { enum: ['open', 'closed'] },
    note: { type: ['string', 'null'] },
    count: { type: 'integer', minimum: 0 },
    amount: { type: 'number' },
    endedOn: { anyOf: [{ type: 'string', format: 'date' }, { type: 'null' }] },
    tags: { type: 'array', items: { type: 'string' } },
    meta: { description: 'Anything.' },
  },
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test schemas, edited tersely
type Change = (schema: any) => void;

/** The breaking changes from `thing` to `thing` changed by `change` (other files alike on both sides). */
function check(change: Change, files: Record<string, JsonObject> = {}, major = 1) {
  const after = thing();
  change(after);
  const released = contractTree({ [THING]: schemaFile(THING, thing()), ...files });
  const current = contractTree({ [THING]: schemaFile(THING, after, major), ...files });
  return compareContracts(released, current);
}
const kindsOf = (change: Change) => check(change).breaking.map((c) => [c.kind, c.at]);

describe('the schema evolution check', () => {
  it('passes a schema unchanged', () => {
    expect(check(() => undefined)).toEqual({ breaking: [], majorBumps: [], added: [] });
  });

  it.each<[string, Change, BreakingKind, string]>([
    ['removes a field', (s) => delete s.properties.note, 'removed-property', '/properties/note'],
    [
      'narrows a type (a type removed from a union)',
      (s) => (s.properties.note.type = 'string'),
      'narrowed-type',
      '/properties/note/type',
    ],
    ['changes a type', (s) => (s.properties.count.type = 'string'), 'narrowed-type', '/properties/count/type'],
    [
      'narrows number to integer',
      (s) => (s.properties.amount.type = 'integer'),
      'narrowed-type',
      '/properties/amount/type',
    ],
    [
      'removes a branch of an anyOf',
      (s) => (s.properties.endedOn = { type: 'string', format: 'date' }),
      'narrowed-type',
      '/properties/endedOn/anyOf/1/type',
    ],
    [
      'gives a type to an untyped field',
      (s) => (s.properties.meta.type = 'object'),
      'narrowed-type',
      '/properties/meta/type',
    ],
    ['makes an optional field required', (s) => s.required.push('status'), 'new-required', '/required'],
    [
      'adds a required field',
      (s) => ((s.properties.extra = { type: 'string' }), s.required.push('extra')),
      'new-required',
      '/required',
    ],
    ['requires a field through an allOf', (s) => (s.allOf = [{ required: ['count'] }]), 'new-required', '/required'],
    [
      'removes an enum value',
      (s) => (s.properties.status.enum = ['open']),
      'removed-enum-value',
      '/properties/status/enum',
    ],
    ['lowers a maxLength', (s) => (s.properties.id.maxLength = 20), 'tightened-constraint', '/properties/id/maxLength'],
    ['adds a pattern', (s) => (s.properties.id.pattern = '^[a-z]+$'), 'tightened-constraint', '/properties/id/pattern'],
    ['raises a minimum', (s) => (s.properties.count.minimum = 1), 'tightened-constraint', '/properties/count/minimum'],
    ['closes the object', (s) => (s.additionalProperties = false), 'tightened-constraint', '/additionalProperties'],
    [
      'narrows array items',
      (s) => (s.properties.tags.items.format = 'email'),
      'tightened-constraint',
      '/properties/tags/items/format',
    ],
  ])('fails a change that %s', (_name, change, kind, pointer) => {
    expect(kindsOf(change)).toContainEqual([kind, `${THING}#${pointer}`]);
  });

  it('reports where and what changed', () => {
    expect(check((s) => (s.properties.status.enum = ['open'])).breaking).toEqual([
      {
        kind: 'removed-enum-value',
        at: `${THING}#/properties/status/enum`,
        message: 'value "closed" no longer allowed (now "open")',
      },
    ]);
  });

  it.each<[string, Change]>([
    ['adds an optional field', (s) => (s.properties.extra = { type: 'string', description: 'new' })],
    ['adds an enum value', (s) => s.properties.status.enum.push('on-hold')],
    ['widens integer to number', (s) => (s.properties.count.type = 'number')],
    ['adds null to a type', (s) => (s.properties.count.type = ['integer', 'null'])],
    ['adds a branch to an anyOf', (s) => s.properties.endedOn.anyOf.push({ type: 'integer' })],
    [
      'raises a maxLength and lowers a minimum',
      (s) => ((s.properties.id.maxLength = 64), (s.properties.count.minimum = -1)),
    ],
    ['makes a required field optional', (s) => (s.required = [])],
    [
      'only changes descriptions, titles and examples',
      (s) => ((s.title = 'Thing'), (s.properties.id.examples = ['a'])),
    ],
    [
      'moves a field behind a $ref with the same content',
      (s) => ((s.$defs = { id: { type: 'string', maxLength: 36 } }), (s.properties.id = { $ref: '#/$defs/id' })),
    ],
    [
      'moves the fields into an allOf',
      (s) => ((s.allOf = [{ properties: { id: s.properties.id } }]), delete s.properties.id),
    ],
  ])('passes a change that %s', (_name, change) => {
    expect(check(change).breaking).toEqual([]);
  });

  it('passes a breaking change when the $id names a new major version', () => {
    const report = check((s) => delete s.properties.note, {}, 2);
    expect(report).toEqual({ breaking: [], majorBumps: [{ path: THING, from: 1, to: 2 }], added: [] });
  });

  it('fails a major version that goes down, a removed file, and passes a new file', () => {
    const released = contractTree({
      [THING]: schemaFile(THING, thing(), 2),
      'codes/old.json': schemaFile('codes/old.json', { enum: ['a'] }),
    });
    const current = contractTree({
      [THING]: schemaFile(THING, thing()),
      'codes/new.json': schemaFile('codes/new.json', { enum: ['a'] }),
    });
    expect(compareContracts(released, current)).toEqual({
      breaking: [
        { kind: 'version-decreased', at: `${THING}#`, message: 'major version went down from 2 to 1' },
        { kind: 'removed-file', at: 'codes/old.json#', message: 'codes/old.json removed' },
      ].sort((a, b) => a.at.localeCompare(b.at)),
      majorBumps: [],
      added: ['codes/new.json'],
    });
  });

  describe('across files', () => {
    const OWNER = 'canonical/owner.json';
    const owner = (major = 1) =>
      schemaFile(OWNER, { type: 'object', properties: { thing: { $ref: './thing.json', description: 'x' } } }, major);

    it('reports a change of a referenced file once, in that file', () => {
      const report = check((s) => delete s.properties.note, { [OWNER]: owner() });
      expect(report.breaking.map((c) => c.at)).toEqual([`${THING}#/properties/note`]);
    });

    it('fails a reference to a file at a new major version unless the referrer is at a new major too', () => {
      const released = contractTree({ [THING]: schemaFile(THING, thing()), [OWNER]: owner() });
      const bumped = { [THING]: schemaFile(THING, { type: 'string' }, 2) };
      expect(compareContracts(released, contractTree({ ...bumped, [OWNER]: owner() })).breaking).toEqual([
        {
          kind: 'changed-reference',
          at: `${OWNER}#/properties/thing`,
          message: `refers to ${THING}, whose major version went from 1 to 2`,
        },
      ]);
      expect(compareContracts(released, contractTree({ ...bumped, [OWNER]: owner(2) })).breaking).toEqual([]);
    });

    it('follows references that differ, and ends on recursive schemas', () => {
      const tree = (body: JsonObject) => contractTree({ [THING]: schemaFile(THING, body) });
      const node = (ref: string, name: JsonObject) => ({
        type: 'object',
        properties: { name, children: { type: 'array', items: { $ref: ref } } },
      });
      const released = tree(node('#', { type: 'string' }));
      const same = tree({ $ref: '#/$defs/node', $defs: { node: node('#/$defs/node', { type: 'string' }) } });
      const narrowed = tree({ $ref: '#/$defs/node', $defs: { node: node('#/$defs/node', { type: 'integer' }) } });
      expect(compareContracts(released, same).breaking).toEqual([]);
      expect(compareContracts(released, narrowed).breaking.map((c) => c.kind)).toEqual(['narrowed-type']);
    });
  });
});
