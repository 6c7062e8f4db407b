import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { findPersonalData } from './personal-data-scan';

const CLIENT_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const REFERRAL_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const KNOWN = {
  names: ['Éloïse', 'Côté-Tremblay', 'Nguyễn Thị Hương'],
  birthDates: ['1987-09-03'],
  ids: [CLIENT_ID, REFERRAL_ID, 'TOR-CR-2025-000123', '500100200'],
};

/** The kinds found at one pointer. */
const kindsAt = (value: unknown, pointer = '/x', known = KNOWN) =>
  findPersonalData(value, known)
    .filter((f) => f.pointer === pointer)
    .map((f) => f.kind);

describe('findPersonalData', () => {
  it.each([
    // names: any case, accents or none, a word of the name or the whole name run together
    ['Éloïse', 'name'],
    ['ELOISE', 'name'],
    ['report about eloise.', 'name'],
    ['Tremblay', 'name'],
    ['cote tremblay', 'name'],
    ['CoteTremblay', 'name'],
    ['NGUYEN', 'name'],
    ['huong', 'name'],
    // birth dates, written several ways
    ['1987-09-03', 'birth-date'],
    ['1987-09-03T00:00:00Z', 'birth-date'],
    ['born 19870903', 'birth-date'],
    ['1987/09/03', 'birth-date'],
    ['03/09/1987', 'birth-date'],
    ['09/03/1987', 'birth-date'],
    ['03.09.1987', 'birth-date'],
    // postal codes
    ['P3C 1A1', 'postal-code'],
    ['P3C1A1', 'postal-code'],
    ['m9v 1b4', 'postal-code'],
    ['lives at K1A-0B1.', 'postal-code'],
    // phones
    ['+14165550134', 'phone'],
    ['416-555-0134', 'phone'],
    ['(416) 555-0134', 'phone'],
    ['416.555.0134', 'phone'],
    ['1 416 555 0134', 'phone'],
    ['call 4165550134 after 5', 'phone'],
    ['+33123456789', 'phone'],
    [4165550134, 'phone'],
    // emails
    ['eloise.cote@example.on.ca', 'email'],
    ['write to Zoë+jobs@courriel.québec', 'email'],
    // SIN
    ['130 692 544', 'sin'],
    ['193-456-787', 'sin'],
    [123456782, 'sin'],
    // known ids: canonical UUIDs (any case, dashes or not) and source ids
    [CLIENT_ID, 'id'],
    [REFERRAL_ID.toUpperCase(), 'id'],
    [`urn:uuid:${CLIENT_ID}`, 'id'],
    [CLIENT_ID.replace(/-/g, ''), 'id'],
    ['ref TOR-CR-2025-000123 v4', 'id'],
    ['tor-cr-2025-000123', 'id'],
    [500100200, 'id'],
  ] as Array<[string | number, string]>)('finds %j as %s', (leaf, kind) => {
    expect(kindsAt({ x: leaf })).toContain(kind);
  });

  it('checks the SIN with its Luhn digit', () => {
    // 046 454 286 is the usual valid example; but SINs never start with 0, so only a changed one counts.
    expect(kindsAt({ x: '046 454 286' })).not.toContain('sin');
    expect(kindsAt({ x: '130 692 544' })).toContain('sin');
    expect(kindsAt({ x: '130 692 545' })).not.toContain('sin');
    expect(kindsAt({ x: '130-692 544' })).not.toContain('sin');
  });

  it('reports members named like personal fields, whatever their value', () => {
    expect(
      findPersonalData(
        { personal: {}, outcome: { birthDate: null, postalCode: '' }, clientId: 1, contact: [], referralId: false },
        {},
      ),
    ).toEqual([
      { pointer: '/personal', kind: 'personal-field' },
      { pointer: '/outcome/birthDate', kind: 'personal-field' },
      { pointer: '/outcome/postalCode', kind: 'personal-field' },
      { pointer: '/clientId', kind: 'personal-field' },
      { pointer: '/contact', kind: 'personal-field' },
      { pointer: '/referralId', kind: 'personal-field' },
    ]);
  });

  it('gives RFC 6901 pointers, each (pointer, kind) once, in document order', () => {
    const value = {
      'a/b': ['x', { 'c~d': 'Éloïse Côté-Tremblay, P3C 1A1, P3C 1A1' }],
      list: [1, 'ok', 'eloise@example.ca'],
    };
    expect(findPersonalData(value, KNOWN)).toEqual([
      { pointer: '/a~1b/1/c~0d', kind: 'name' },
      { pointer: '/a~1b/1/c~0d', kind: 'postal-code' },
      { pointer: '/list/2', kind: 'name' },
      { pointer: '/list/2', kind: 'email' },
    ]);
  });

  it('scans a bare leaf, and survives cycles and odd values', () => {
    expect(findPersonalData('P3C 1A1', {})).toEqual([{ pointer: '', kind: 'postal-code' }]);
    const cyclic: Record<string, unknown> = { a: [null, true, undefined, Number.NaN, () => 'P3C 1A1', Symbol('x')] };
    cyclic.self = cyclic;
    cyclic.b = { again: cyclic, phone: '416-555-0134' };
    expect(findPersonalData(cyclic, {})).toEqual([
      { pointer: '/b/phone', kind: 'personal-field' },
      { pointer: '/b/phone', kind: 'phone' },
    ]);
    expect(findPersonalData(undefined, KNOWN)).toEqual([]);
  });

  it.each([
    // what a de-identified report carries
    'M9V',
    'K1',
    'P',
    '2025-09-02',
    '2025-09-02T14:05:11Z',
    'ow:toronto',
    'odsp:central',
    'eo:provider-12',
    'ies-employed-12-months',
    '35-44',
    '65+',
    'third-party',
    'toronto',
    172,
    0,
    // near misses
    'D1A 1A1',
    'P3C 1A',
    'P3C 1A1B',
    '123-4567',
    '416-555-013',
    '1986-09-03',
    '87-09-03',
    'eloi',
    'Tremblayville',
    'a@b',
    '123 456 789 0',
    '6f1c2b8e-3d4a-5b6c-8d7e-9f0a1b2c3d4e',
    'TOR-CR-2025-0001234',
    '5001002001',
  ] as Array<string | number>)('finds nothing in %j', (leaf) => {
    expect(findPersonalData({ x: leaf }, KNOWN)).toEqual([]);
  });

  it('never reports a pseudonym or a random UUID', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.string({ minLength: 1 }),
        fc.uuid(),
        (key, id, uuid) => {
          fc.pre(uuid !== CLIENT_ID && uuid !== REFERRAL_ID);
          const pseudonym = createHmac('sha256', Buffer.from(key)).update(`client:${id}`).digest('hex');
          expect(
            findPersonalData({ subjectPseudonym: pseudonym, reportId: uuid, upper: pseudonym.toUpperCase() }, KNOWN),
          ).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('finds in ASCII text exactly what its Unicode patterns find (the ASCII fast paths change nothing)', () => {
    const pieces = fc.constantFrom(
      ...[
        'P3C 1A1',
        'p3c1a1',
        '416-555-0134',
        '(416) 555-0134',
        '+14165550134',
        '+33123456789',
        'a.b@example.org',
        '130 692 544',
        '130692544',
      ],
      ...[
        '1987-09-03',
        '19870903',
        '03/09/1987',
        CLIENT_ID,
        CLIENT_ID.replace(/-/g, '').toUpperCase(),
        'tor-cr-2025-000123',
        '500100200',
      ],
      ...['x', '7', '1', '-', ' ', '@', '+', '_', '.', '/'],
    );
    const kinds = (text: string) =>
      findPersonalData({ x: text }, KNOWN)
        .map((f) => f.kind)
        .sort();
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 8 }), (parts) => {
        const text = parts.join('');
        // ' é' sends the scan down its Unicode patterns without changing what the text holds.
        expect(kinds(`${text} é`)).toEqual(kinds(text));
      }),
      { numRuns: 3_000 },
    );
  });

  describe('finds what is planted, where it is planted', () => {
    const digit = fc.integer({ min: 0, max: 9 }).map(String);
    const letter = (set: string) => fc.constantFrom(...set.split(''));
    const postalCode = fc
      .tuple(
        letter('ABCEGHJKLMNPRSTVXY'),
        digit,
        letter('ABCEGHJKLMNPRSTVWXYZ'),
        fc.constantFrom('', ' '),
        digit,
        letter('ABCEGHJKLMNPRSTVWXYZ'),
        digit,
        fc.boolean(),
      )
      .map(([a, b, c, s, d, e, f, lower]) =>
        lower ? `${a}${b}${c}${s}${d}${e}${f}`.toLowerCase() : `${a}${b}${c}${s}${d}${e}${f}`,
      );
    const phone = fc
      .tuple(
        fc.integer({ min: 200, max: 999 }),
        fc.integer({ min: 200, max: 999 }),
        fc.integer({ min: 0, max: 9999 }),
        fc.constantFrom('+1%a%b%c', '%a-%b-%c', '(%a) %b-%c', '%a.%b.%c', '%a%b%c'),
      )
      .map(([a, b, c, form]) =>
        form.replace('%a', String(a)).replace('%b', String(b)).replace('%c', String(c).padStart(4, '0')),
      );
    const email = fc.emailAddress();
    const birthDate = fc
      .date({ min: new Date('1930-01-01T00:00:00Z'), max: new Date('2010-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    const nameWord = fc
      .array(fc.constantFrom(...'aàâbcçdeéèêëfghiîïjklmnoôpqrstuùûüvwxyÿzœæ'.split('')), {
        minLength: 3,
        maxLength: 10,
      })
      .map((letters) => letters.join(''));
    const name = fc
      .tuple(nameWord, nameWord)
      .map(([a, b]) => `${a[0].toUpperCase()}${a.slice(1)} ${b[0].toUpperCase()}${b.slice(1)}`);
    // A path of keys (never personal-field names) down to the leaf.
    const path = fc.array(fc.oneof(fc.stringMatching(/^k[a-z0-9~/]{0,6}$/), fc.nat({ max: 3 })), { maxLength: 4 });

    /** Builds `{...}` / `[...]` containers down `path`, with `leaf` at the end and harmless siblings around it. */
    function plant(pathParts: Array<string | number>, leaf: unknown): { value: unknown; pointer: string } {
      let value: unknown = leaf;
      for (const part of [...pathParts].reverse()) {
        if (typeof part === 'number') {
          const array: unknown[] = Array.from({ length: part }, () => 'ok');
          array.push(value);
          value = array;
        } else {
          value = { other: 'ok', [part]: value };
        }
      }
      const pointer = pathParts.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
      return { value, pointer };
    }

    const planted = (
      kind: string,
      leafArb: fc.Arbitrary<string>,
      knownOf: (leaf: string) => Parameters<typeof findPersonalData>[1],
    ) =>
      it(`finds a ${kind}`, () => {
        fc.assert(
          fc.property(path, leafArb, fc.constantFrom('', 'see ', 'x: '), (parts, leaf, prefix) => {
            const { value, pointer } = plant(parts, `${prefix}${leaf}`);
            expect(findPersonalData(value, knownOf(leaf))).toContainEqual({ pointer, kind });
          }),
        );
      });

    planted('postal-code', postalCode, () => ({}));
    planted('phone', phone, () => ({}));
    planted('email', email, () => ({}));
    planted('birth-date', birthDate, (leaf) => ({ birthDates: [leaf] }));
    planted('name', name, (leaf) => ({ names: [leaf.normalize('NFD').toUpperCase()] }));
    planted('id', fc.uuid(), (leaf) => ({ ids: [leaf.toUpperCase()] }));
  });
});
