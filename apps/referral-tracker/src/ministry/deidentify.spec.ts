import {
  SchemaValidationError,
  schemaIdForPath,
  schemaRegistry,
  schemasDir,
  type OutcomeMilestone,
  type Referral,
} from '@passerelle/contracts';
import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { dirname, join } from 'node:path';
import {
  Pseudonymizer,
  ageBand,
  deidentifyOutcome,
  regionOf,
  type MinistryOutcome,
  type OutcomeFacts,
} from './deidentify';
import { findPersonalData } from './personal-data-scan';

const MINISTRY_OUTCOME = schemaIdForPath('canonical/ministry-outcome.json');
const REGIONS_SCHEMA = schemaIdForPath('directory/regions.json');
const REGIONS_FILE = join(dirname(schemasDir()), 'data', 'regions.json');
const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));
const codesOf = (table: string): string[] =>
  (readJson(join(schemasDir(), 'codes', `${table}.json`)) as { enum: string[] }).enum;

const KEY = Buffer.from('9c4f1e7a2b8d3c6e5f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6', 'hex');
const OTHER_KEY = Buffer.from('1f2e3d4c5b6a79880716253443526170fedcba9876543210aabbccddeeff0011', 'hex');

/** The oracle: HMAC-SHA256(key, kind + ':' + id), hex, written independently of the module. */
const hmac = (key: Buffer, kind: string, id: string) => createHmac('sha256', key).update(`${kind}:${id}`).digest('hex');

// Independent of data/regions.json: the first letter of an Ontario postal code (DOMAIN.md, brief).
const REGION_BY_LETTER: Record<string, string> = {
  K: 'eastern',
  L: 'central',
  M: 'toronto',
  N: 'southwestern',
  P: 'northern',
};

describe('Pseudonymizer', () => {
  it('refuses a key shorter than 32 bytes, with a clear error', () => {
    for (const length of [0, 1, 16, 31]) {
      expect(() => new Pseudonymizer(KEY.subarray(0, length))).toThrow(
        new RangeError(
          `Pseudonymizer key is ${length} bytes long: it must be at least 32 bytes (256 bits) of secret random data, e.g. crypto.randomBytes(32)`,
        ),
      );
    }
    expect(() => new Pseudonymizer(KEY.subarray(0, 32))).not.toThrow();
    expect(() => new Pseudonymizer(Buffer.concat([KEY, OTHER_KEY]))).not.toThrow();
  });

  it('refuses a key that is one byte repeated (unset or zeroed), and a key that is not a Buffer', () => {
    expect(() => new Pseudonymizer(Buffer.alloc(32))).toThrow(/one byte repeated 32 times/);
    expect(() => new Pseudonymizer(Buffer.alloc(64, 'a'))).toThrow(/one byte repeated 64 times/);
    expect(() => new Pseudonymizer('0123456789abcdef0123456789abcdef' as unknown as Buffer)).toThrow(TypeError);
  });

  it('is HMAC-SHA256 of kind:id, in lower-case hex', () => {
    const pseudonymizer = new Pseudonymizer(KEY);
    const clientId = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(pseudonymizer.of('client', clientId)).toBe(hmac(KEY, 'client', clientId));
    expect(pseudonymizer.of('referral', clientId)).toBe(hmac(KEY, 'referral', clientId));
    expect(pseudonymizer.of('client', clientId)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses an empty id and an unknown kind', () => {
    const pseudonymizer = new Pseudonymizer(KEY);
    expect(() => pseudonymizer.of('client', '')).toThrow('Pseudonymizer.of: the client id must be a non-empty string');
    expect(() => pseudonymizer.of('person' as 'client', 'x')).toThrow(/kind must be "client" or "referral"/);
  });

  it('keeps its own copy of the key and never shows it', () => {
    const key = Buffer.from(KEY);
    const pseudonymizer = new Pseudonymizer(key);
    const before = pseudonymizer.of('client', 'abc');
    key.fill(1);
    expect(pseudonymizer.of('client', 'abc')).toBe(before);
    const shown = `${JSON.stringify(pseudonymizer)} ${inspect(pseudonymizer, { showHidden: true, depth: 5 })} ${Object.keys(pseudonymizer).join()}`;
    expect(shown).not.toContain(KEY.toString('hex'));
    expect(shown).not.toContain(KEY.toString('base64'));
  });

  const keyArb = fc
    .uint8Array({ minLength: 32, maxLength: 64 })
    .filter((bytes) => bytes.some((b) => b !== bytes[0]))
    .map((bytes) => Buffer.from(bytes));
  const idArb = fc.oneof(
    fc.uuid(),
    fc.stringMatching(/^[1-9][0-9]{7,11}$/),
    fc.stringMatching(/^[A-Z]{3}-CR-20\d\d-\d{6}$/),
    fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }),
  );

  it('is stable for a key, different across keys and kinds, and shows nothing of the id', () => {
    fc.assert(
      fc.property(keyArb, keyArb, idArb, idArb, (key, otherKey, id, otherId) => {
        fc.pre(!key.equals(otherKey) && id !== otherId);
        const a = new Pseudonymizer(key);
        const client = a.of('client', id);
        expect(client).toMatch(/^[0-9a-f]{64}$/);
        expect(new Pseudonymizer(Buffer.from(key)).of('client', id)).toBe(client);
        expect(client).toBe(hmac(key, 'client', id));
        expect(a.of('referral', id)).not.toBe(client);
        expect(new Pseudonymizer(otherKey).of('client', id)).not.toBe(client);
        expect(a.of('client', otherId)).not.toBe(client);
        // Not reversible-looking: no 8 characters of the id (dashes removed, any case) show in the
        // pseudonym (shorter ids are too short for the test to mean anything: "0" is in most hex strings).
        const compact = id.replace(/-/g, '').toLowerCase();
        for (let i = 0; i + 8 <= compact.length; i += 1) expect(client).not.toContain(compact.slice(i, i + 8));
        expect(client).not.toContain(id.toLowerCase().length >= 8 ? id.toLowerCase() : '\u0000');
      }),
      { numRuns: 200 },
    );
  });
});

/** Age in full years, by counting anniversaries (29 February -> 1 March in common years). */
function ageOracle(birth: string, on: string): number {
  const [year, month, day] = birth.split('-').map(Number);
  const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const anniversary = (n: number) =>
    month === 2 && day === 29 && !leap(year + n)
      ? `${pad(year + n, 4)}-03-01`
      : `${pad(year + n, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
  let n = Number(on.slice(0, 4)) - year + 1;
  while (anniversary(n) > on) n -= 1;
  return n;
}

function bandOracle(age: number): MinistryOutcome['ageBand'] {
  const bands: Array<[number, MinistryOutcome['ageBand']]> = [
    [65, '65+'],
    [55, '55-64'],
    [45, '45-54'],
    [35, '35-44'],
    [25, '25-34'],
    [15, '15-24'],
  ];
  return bands.find(([low]) => age >= low)?.[1] ?? 'unknown';
}

const dateArb = (from: string, to: string) =>
  fc
    .date({ min: new Date(`${from}T00:00:00Z`), max: new Date(`${to}T00:00:00Z`), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10));

describe('ageBand', () => {
  it.each([
    ['2000-06-15', '2015-06-14', 'unknown'],
    ['2000-06-15', '2015-06-15', '15-24'],
    ['2000-06-15', '2025-06-14', '15-24'],
    ['2000-06-15', '2025-06-15', '25-34'],
    ['1990-01-01', '2024-12-31', '25-34'],
    ['1990-01-01', '2025-01-01', '35-44'],
    ['1980-03-10', '2025-03-09', '35-44'],
    ['1980-03-10', '2025-03-10', '45-54'],
    ['1970-12-31', '2025-12-30', '45-54'],
    ['1970-12-31', '2025-12-31', '55-64'],
    ['1960-07-01', '2025-06-30', '55-64'],
    ['1960-07-01', '2025-07-01', '65+'],
    ['1920-01-01', '2025-07-01', '65+'],
    // 29 February: a year older on 1 March in common years, on 29 February in leap years.
    ['2004-02-29', '2019-02-28', 'unknown'],
    ['2004-02-29', '2019-03-01', '15-24'],
    ['1996-02-29', '2021-02-28', '15-24'],
    ['1996-02-29', '2021-03-01', '25-34'],
    ['1992-02-29', '2016-02-28', '15-24'],
    ['1992-02-29', '2017-02-28', '15-24'],
    ['1992-02-29', '2017-03-01', '25-34'],
  ] as const)('born %s, on %s: %s', (birth, on, band) => {
    expect(ageBand(birth, on)).toBe(band);
  });

  it('is unknown without a usable birth date, for a birth after the date, and under 15', () => {
    expect(ageBand(undefined, '2025-01-01')).toBe('unknown');
    expect(ageBand('', '2025-01-01')).toBe('unknown');
    expect(ageBand('2001-02-29', '2025-01-01')).toBe('unknown');
    expect(ageBand('1985-13-01', '2025-01-01')).toBe('unknown');
    expect(ageBand('14/03/1985', '2025-01-01')).toBe('unknown');
    expect(ageBand('1985-03-14T00:00:00Z', '2025-01-01')).toBe('unknown');
    expect(ageBand('2025-01-02', '2025-01-01')).toBe('unknown');
    expect(ageBand('2025-01-01', '2025-01-01')).toBe('unknown');
    expect(ageBand('2011-01-01', '2025-12-31')).toBe('unknown');
  });

  it('refuses an "on" that is not a calendar date', () => {
    expect(() => ageBand('1980-01-01', '2025-02-30')).toThrow(RangeError);
    expect(() => ageBand('1980-01-01', '2025-03-14T10:00:00Z')).toThrow(
      'ageBand: "on" must be a calendar date YYYY-MM-DD, got "2025-03-14T10:00:00Z"',
    );
  });

  it('gives the band of the age in full years (anniversaries counted)', () => {
    fc.assert(
      fc.property(dateArb('1900-01-01', '2030-12-31'), dateArb('1990-01-01', '2060-12-31'), (birth, on) => {
        const expected = birth > on ? 'unknown' : bandOracle(ageOracle(birth, on));
        expect(ageBand(birth, on)).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('regions', () => {
  const data = readJson(REGIONS_FILE) as {
    regions: Array<{ code: string; en: string; fr: string; postalPrefixes: string[] }>;
  };

  it('data/regions.json validates against its schema and gives each Ontario letter its region', () => {
    expect(schemaRegistry().validate(REGIONS_SCHEMA, data)).toEqual({ ok: true, value: data });
    expect(Object.fromEntries(data.regions.flatMap((r) => r.postalPrefixes.map((p) => [p, r.code])))).toEqual(
      REGION_BY_LETTER,
    );
    for (const region of data.regions) {
      expect(region.en).not.toBe('');
      expect(region.fr).not.toBe('');
    }
  });

  it('has exactly the region codes of the ministry schema, plus unknown', () => {
    const schema = readJson(join(schemasDir(), 'canonical', 'ministry-outcome.json')) as {
      properties: { region: { enum: string[] } };
    };
    expect([...schema.properties.region.enum].sort()).toEqual([...data.regions.map((r) => r.code), 'unknown'].sort());
  });

  it('the regions schema refuses "unknown" as a region and a prefix that is not a postal prefix', () => {
    const region = { code: 'unknown', en: 'Unknown', fr: 'Inconnue', postalPrefixes: ['K'] };
    expect(schemaRegistry().validate(REGIONS_SCHEMA, { regions: [region] }).ok).toBe(false);
    expect(
      schemaRegistry().validate(REGIONS_SCHEMA, { regions: [{ ...region, code: 'eastern', postalPrefixes: ['D'] }] })
        .ok,
    ).toBe(false);
    expect(
      schemaRegistry().validate(REGIONS_SCHEMA, { regions: [{ ...region, code: 'eastern', postalPrefixes: ['K1A'] }] })
        .ok,
    ).toBe(true);
  });

  it.each([
    ['K1A 0B1', 'eastern'],
    ['k7l3n6', 'eastern'],
    ['L5B 2C9', 'central'],
    ['L8P', 'central'],
    ['M5V 2T6', 'toronto'],
    [' m9v 1b4 ', 'toronto'],
    ['N6A 3K7', 'southwestern'],
    ['N', 'southwestern'],
    ['P3C 1A1', 'northern'],
    ['P0X', 'northern'],
  ])('regionOf(%j) = %s', (postalCode, region) => {
    expect(regionOf(postalCode)).toBe(region);
  });

  it.each([
    undefined,
    '',
    '   ',
    'H2X 1Y4',
    'V6B',
    'T2P 1J9',
    'D1A 1A1',
    'M5V 2T',
    'M5V 2T6X',
    'MAA 1A1',
    '12345',
    'Montreal',
    'M5V-2T6',
  ])('regionOf(%j) = unknown', (postalCode) => {
    expect(regionOf(postalCode)).toBe('unknown');
  });

  it('places every postal code by its first letter', () => {
    const first = 'ABCEGHJKLMNPRSTVXY'.split('');
    const rest = 'ABCEGHJKLMNPRSTVWXYZ'.split('');
    const digit = fc.integer({ min: 0, max: 9 }).map(String);
    const postalCode = fc
      .tuple(
        fc.constantFrom(...first),
        digit,
        fc.constantFrom(...rest),
        fc.constantFrom('', ' '),
        digit,
        fc.constantFrom(...rest),
        digit,
        fc.boolean(),
      )
      .map(([a, b, c, space, d, e, f, lower]) => {
        const code = `${a}${b}${c}${space}${d}${e}${f}`;
        return lower ? code.toLowerCase() : code;
      });
    fc.assert(
      fc.property(postalCode, (code) => {
        expect(regionOf(code)).toBe(REGION_BY_LETTER[code[0].toUpperCase()] ?? 'unknown');
        expect(regionOf(code.slice(0, 3))).toBe(regionOf(code));
      }),
    );
  });
});

const FACTS: OutcomeFacts = {
  clientId: '0f8fad5b-d9cb-469f-a165-70867728950e',
  referralId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  program: 'OW',
  deliveryAgent: 'ow:toronto',
  catchment: 'M9V',
  postalCode: 'M9V 1B4',
  birthDate: '1987-09-03',
  provider: 'eo:provider-1',
  providerType: 'direct',
  stream: 'B',
  outcomeType: 'ies-employed-3-months',
  achievedOn: '2025-09-02',
  // 22:30 in Toronto on 13 March (EDT), already 14 March in UTC.
  requestedAt: '2025-03-14T02:30:00Z',
  acceptedAt: '2025-03-17T09:15:00-04:00',
  jobStartDate: '2025-06-02',
  reportId: '6f1c2b8e-3d4a-5b6c-8d7e-9f0a1b2c3d4e',
  reportedAt: '2025-09-02T14:05:11Z',
};

describe('deidentifyOutcome', () => {
  const pseudonymizer = new Pseudonymizer(KEY);

  it('keeps counts, codes and durations, and replaces the person by pseudonyms, an age band and a region', () => {
    expect(deidentifyOutcome(FACTS, pseudonymizer)).toEqual({
      reportId: FACTS.reportId,
      subjectPseudonym: hmac(KEY, 'client', FACTS.clientId),
      referralPseudonym: hmac(KEY, 'referral', String(FACTS.referralId)),
      program: 'OW',
      deliveryAgent: 'ow:toronto',
      catchment: 'M9V',
      region: 'toronto',
      providerType: 'direct',
      provider: 'eo:provider-1',
      stream: 'B',
      ageBand: '35-44',
      outcome: { type: 'ies-employed-3-months', milestoneMonths: 3, achievedOn: '2025-09-02' },
      // 13 March (Toronto) -> 2 September: 173 days; -> 17 March: 4 days; 2 June -> 2 September: 92 days.
      durations: { referralToOutcomeDays: 173, referralToAcceptanceDays: 4, jobStartToOutcomeDays: 92 },
      reportedAt: '2025-09-02T14:05:11Z',
    });
  });

  it('validates against the schema and carries nothing of the person', () => {
    const report = deidentifyOutcome(FACTS, pseudonymizer);
    expect(schemaRegistry().validate(MINISTRY_OUTCOME, report)).toEqual({ ok: true, value: report });
    const text = JSON.stringify(report);
    for (const value of [FACTS.clientId, FACTS.referralId, FACTS.birthDate, FACTS.postalCode, '1B4', 'M9V1B4'])
      expect(text).not.toContain(value);
    expect(
      findPersonalData(report, {
        birthDates: [String(FACTS.birthDate)],
        ids: [FACTS.clientId, String(FACTS.referralId)],
      }),
    ).toEqual([]);
  });

  it('leaves out what is not known, and the durations whose dates are missing or out of order', () => {
    const minimal: OutcomeFacts = {
      clientId: FACTS.clientId,
      program: 'ODSP',
      deliveryAgent: 'odsp:central',
      outcomeType: 'odsp-job-retention',
      achievedOn: '2025-06-30',
      requestedAt: '2025-07-15T10:00:00-04:00',
      jobStartDate: '2025-06-30',
      reportId: '0b9d2e4f-6a8c-4e1b-9d3f-5a7c9e1b3d5f',
      reportedAt: '2025-07-01T09:00:00-04:00',
    };
    expect(deidentifyOutcome(minimal, pseudonymizer)).toEqual({
      reportId: minimal.reportId,
      subjectPseudonym: hmac(KEY, 'client', FACTS.clientId),
      program: 'ODSP',
      deliveryAgent: 'odsp:central',
      region: 'unknown',
      ageBand: 'unknown',
      outcome: { type: 'odsp-job-retention', achievedOn: '2025-06-30' },
      durations: { jobStartToOutcomeDays: 0 },
      reportedAt: minimal.reportedAt,
    });
    const { jobStartDate: _, ...withoutJob } = minimal;
    expect(deidentifyOutcome(withoutJob, pseudonymizer)).not.toHaveProperty('durations');
    const accepted = deidentifyOutcome(
      { ...withoutJob, requestedAt: '2025-06-01', acceptedAt: '2025-05-30T12:00:00Z' },
      pseudonymizer,
    );
    expect(accepted.durations).toEqual({ referralToOutcomeDays: 29 });
  });

  it('never reports a catchment finer than a forward sortation area, and places the region by it without a postal code', () => {
    const { postalCode: _, ...noPostalCode } = FACTS;
    const report = deidentifyOutcome({ ...noPostalCode, catchment: 'p3c 1a1' }, pseudonymizer);
    expect(report.catchment).toBe('P3C');
    expect(report.region).toBe('northern');
    expect(deidentifyOutcome({ ...FACTS, catchment: 'K' }, pseudonymizer)).toMatchObject({
      catchment: 'K',
      region: 'toronto',
    });
    expect(deidentifyOutcome({ ...FACTS, postalCode: 'H2X 1Y4', catchment: 'K1' }, pseudonymizer).region).toBe(
      'eastern',
    );
  });

  it('takes the milestone months from an IES outcome type, and refuses a contradiction', () => {
    for (const [type, months] of [
      ['ies-employed-1-month', 1],
      ['ies-employed-6-months', 6],
      ['ies-employed-12-months', 12],
    ] as const) {
      const { milestoneMonths: _, ...facts } = FACTS;
      expect(deidentifyOutcome({ ...facts, outcomeType: type }, pseudonymizer).outcome.milestoneMonths).toBe(months);
    }
    expect(
      deidentifyOutcome({ ...FACTS, outcomeType: 'employment', milestoneMonths: 6 }, pseudonymizer).outcome,
    ).toEqual({
      type: 'employment',
      milestoneMonths: 6,
      achievedOn: '2025-09-02',
    });
    expect(() => deidentifyOutcome({ ...FACTS, milestoneMonths: 6 }, pseudonymizer)).toThrow(
      'deidentifyOutcome: milestoneMonths 6 contradicts outcome type ies-employed-3-months',
    );
  });

  it('throws a SchemaValidationError naming the fields, never the personal values', () => {
    let thrown: unknown;
    try {
      deidentifyOutcome(
        { ...FACTS, program: 'XX', deliveryAgent: 'Jane Doe', stream: 'D', reportedAt: 'yesterday' },
        pseudonymizer,
      );
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SchemaValidationError);
    expect((thrown as SchemaValidationError).errors.map((e) => e.pointer).sort()).toEqual([
      '/deliveryAgent',
      '/program',
      '/reportedAt',
      '/stream',
    ]);
    const message = (thrown as Error).message;
    for (const value of [FACTS.clientId, String(FACTS.birthDate), String(FACTS.postalCode)])
      expect(message).not.toContain(value);
  });

  it('refuses unreadable dates and a report id that is the client or referral id', () => {
    expect(() => deidentifyOutcome({ ...FACTS, achievedOn: '2025-02-30' }, pseudonymizer)).toThrow(
      /achievedOn must be a calendar date/,
    );
    expect(() => deidentifyOutcome({ ...FACTS, requestedAt: 'last week' }, pseudonymizer)).toThrow(
      /requestedAt must be a date YYYY-MM-DD or an RFC 3339 date-time/,
    );
    expect(() => deidentifyOutcome({ ...FACTS, reportId: FACTS.clientId.toUpperCase() }, pseudonymizer)).toThrow(
      /reportId must not be the client id/,
    );
    expect(() => deidentifyOutcome({ ...FACTS, reportId: String(FACTS.referralId) }, pseudonymizer)).toThrow(
      /reportId must not be the client id or the referral id/,
    );
  });

  it('refuses to report a birth date, even as another date (a client "born" on the outcome date)', () => {
    expect(() => deidentifyOutcome({ ...FACTS, birthDate: FACTS.achievedOn }, pseudonymizer)).toThrow(
      'deidentifyOutcome: the report would carry personal data at /outcome/achievedOn (birth-date), /reportedAt (birth-date)',
    );
  });

  describe('for random people and outcomes', () => {
    const PROGRAMS = codesOf('programs') as Referral['program'][];
    const OUTCOME_TYPES = codesOf('outcome-types') as OutcomeMilestone['outcomeType'][];
    const STREAMS = codesOf('streams');
    const PROVIDERS = (
      readJson(join(dirname(schemasDir()), 'data', 'provider-directory.json')) as {
        providers: Array<{ id: string; providerType: 'direct' | 'third-party' }>;
      }
    ).providers;
    const REFERRERS = [
      'ow:toronto',
      'ow:ottawa',
      'ow:greater-sudbury',
      'ow:kenora-rainy-river',
      'odsp:central',
      'odsp:north-east',
    ];

    // Words the report is made of (codes, organization ids, region codes): a person whose name is
    // one of them ("Central", "Tô") cannot be told apart from the code, so names avoid them.
    const lower = (s: string) =>
      s
        .normalize('NFKD')
        .replace(/\p{M}+/gu, '')
        .toLowerCase();
    const VOCABULARY = new Set(
      [
        ...PROGRAMS,
        ...OUTCOME_TYPES,
        ...STREAMS,
        ...PROVIDERS.map((p) => p.id),
        ...REFERRERS,
        ...Object.values(REGION_BY_LETTER),
        'unknown',
        'third-party',
        'direct',
      ].flatMap((code) => lower(code).split(/[^\p{L}\p{N}]+/u)),
    );
    const REAL_NAMES = [
      'Éloïse',
      'Côté-Tremblay',
      'Nguyễn',
      'Thị Hương',
      "O'Brien",
      'Zoë',
      'Anaïs',
      'François',
      'Lefèbvre',
      'Núñez',
      'Søren',
      'Begay',
      'Śmiałek',
      'Müller',
      'Björk',
      'Mathieu',
      'Desrosiers',
      'Kanahsohon',
      'Ahmed',
      'Żaneta',
      'Jean-Noël',
      'Gagné',
    ];
    const LETTERS = 'abcdeéèêëfghiïîjklmnoôöpqrstuùüvwxyzçñ'.split('');
    const nameWord = fc
      .array(fc.constantFrom(...LETTERS), { minLength: 3, maxLength: 12 })
      .map((letters) => letters.join(''))
      .map((word) => word[0].toUpperCase() + word.slice(1))
      // A word made of hex letters only could be a group of a UUID by chance; real names are not.
      .filter((word) => /[^a-f]/.test(lower(word)));
    const nameArb = fc
      .oneof(
        fc.constantFrom(...REAL_NAMES),
        fc
          .tuple(nameWord, fc.option(nameWord, { nil: undefined }))
          .map(([a, b]) => (b === undefined ? a : `${a}-${b}`)),
      )
      .filter((name) =>
        lower(name)
          .split(/[^\p{L}\p{N}]+/u)
          .every((word) => !VOCABULARY.has(word)),
      );

    const digit = fc.integer({ min: 0, max: 9 }).map(String);
    const postalCodeArb = fc
      .tuple(
        fc.constantFrom(...'ABCEGHJKLMNPRSTVXY'.split(''), 'K', 'L', 'M', 'N', 'P'),
        digit,
        fc.constantFrom(...'ABCEGHJKLMNPRSTVWXYZ'.split('')),
        digit,
        fc.constantFrom(...'ABCEGHJKLMNPRSTVWXYZ'.split('')),
        digit,
      )
      .map(([a, b, c, d, e, f]) => `${a}${b}${c} ${d}${e}${f}`);
    const phoneArb = fc
      .tuple(fc.integer({ min: 200, max: 999 }), fc.integer({ min: 200, max: 999 }), fc.integer({ min: 0, max: 9999 }))
      .map(([a, b, c]) => `+1${a}${b}${String(c).padStart(4, '0')}`);
    const instantArb = (from: string, to: string) =>
      fc
        .date({ min: new Date(from), max: new Date(to), noInvalidDate: true })
        .map((d) => d.toISOString().replace('.000Z', 'Z'));

    const caseArb = fc.record({
      clientId: fc.uuid(),
      referralId: fc.uuid(),
      consentId: fc.uuid(),
      outcomeId: fc.uuid(),
      reportId: fc.uuid(),
      givenName: nameArb,
      familyName: nameArb,
      middleName: fc.option(nameArb, { nil: undefined }),
      birthDate: dateArb('1940-01-01', '2011-12-31'),
      postalCode: fc.option(postalCodeArb, { nil: undefined }),
      phone: phoneArb,
      memberId: fc.stringMatching(/^[1-9][0-9]{7,11}$/),
      recordId: fc.stringMatching(/^[A-Z]{3}-CR-20\d\d-\d{6}$/),
      sourceReferralId: fc.stringMatching(/^REF-\d{5,8}$/),
      program: fc.constantFrom(...PROGRAMS),
      referrer: fc.constantFrom(...REFERRERS),
      provider: fc.option(fc.constantFrom(...PROVIDERS), { nil: undefined }),
      stream: fc.option(fc.constantFrom(...STREAMS), { nil: undefined }),
      outcomeType: fc.constantFrom(...OUTCOME_TYPES),
      requestedAt: instantArb('2024-01-01T00:00:00Z', '2025-06-30T23:59:59Z'),
      acceptedAt: fc.option(instantArb('2024-01-01T00:00:00Z', '2025-12-31T23:59:59Z'), { nil: undefined }),
      jobStartDate: fc.option(dateArb('2024-01-01', '2026-12-31'), { nil: undefined }),
      observedOn: dateArb('2025-01-01', '2027-12-31'),
      reportedAt: instantArb('2027-12-31T00:00:00Z', '2028-12-31T00:00:00Z'),
    });

    it('gives a schema-valid report in which findPersonalData finds nothing, though it finds the person in the referral', () => {
      fc.assert(
        fc.property(caseArb, (c) => {
          const email = `${lower(c.givenName).replace(/[^a-z]/g, '') || 'x'}.${lower(c.familyName).replace(/[^a-z]/g, '') || 'y'}@example.on.ca`;
          const referral: Referral = {
            referralId: c.referralId,
            clientId: c.clientId,
            program: c.program,
            source: { system: 'sams', recordId: c.recordId, recordVersion: 2 },
            referrer: c.referrer,
            sourceReferralId: c.sourceReferralId,
            pathway: 'caseworker',
            serviceWanted: 'employment-services',
            ...(c.provider === undefined ? {} : { provider: c.provider.id }),
            consentId: c.consentId,
            status: 'in-progress',
            businessStatus: 'event-completed',
            requestedAt: c.requestedAt,
            updatedAt: c.requestedAt,
            personal: {
              name: {
                givenName: c.givenName,
                familyName: c.familyName,
                ...(c.middleName === undefined ? {} : { middleName: c.middleName }),
              },
              birthDate: c.birthDate,
              contact: {
                phone: c.phone,
                email,
                ...(c.postalCode === undefined
                  ? {}
                  : {
                      address: {
                        line1: `12, rue ${c.familyName}`,
                        city: 'Sudbury',
                        province: 'ON' as const,
                        postalCode: c.postalCode,
                      },
                    }),
              },
              links: [{ system: 'sams', sourceId: c.memberId, linkedAt: c.requestedAt }],
              notes: `${c.givenName} ${c.familyName}, né(e) le ${c.birthDate}, ${c.phone}`,
            },
          };
          const milestone: OutcomeMilestone = {
            outcomeId: c.outcomeId,
            clientId: c.clientId,
            referralId: c.referralId,
            program: c.program,
            source: { system: 'cams', recordId: c.recordId, recordVersion: 1 },
            reportedBy: c.provider?.id ?? 'eo:provider-1',
            outcomeType: c.outcomeType,
            achieved: true,
            observedOn: c.observedOn,
          };
          expect(schemaRegistry().validate('canonical/referral.json', referral).ok).toBe(true);
          expect(schemaRegistry().validate('canonical/outcome-milestone.json', milestone).ok).toBe(true);

          // What the tracker knows when the outcome is correlated to its referral.
          const postalCode = referral.personal?.contact?.address?.postalCode;
          const facts: OutcomeFacts = {
            clientId: milestone.clientId,
            referralId: milestone.referralId,
            program: referral.program,
            deliveryAgent: referral.referrer,
            ...(postalCode === undefined ? {} : { catchment: postalCode.slice(0, 3), postalCode }),
            birthDate: referral.personal?.birthDate,
            ...(c.provider === undefined ? {} : { provider: c.provider.id, providerType: c.provider.providerType }),
            ...(c.stream === undefined ? {} : { stream: c.stream }),
            outcomeType: milestone.outcomeType,
            achievedOn: milestone.observedOn,
            requestedAt: referral.requestedAt,
            ...(c.acceptedAt === undefined ? {} : { acceptedAt: c.acceptedAt }),
            ...(c.jobStartDate === undefined ? {} : { jobStartDate: c.jobStartDate }),
            reportId: c.reportId,
            reportedAt: c.reportedAt,
          };
          const report = deidentifyOutcome(facts, new Pseudonymizer(KEY));

          expect(schemaRegistry().validate(MINISTRY_OUTCOME, report)).toEqual({ ok: true, value: report });
          const known = {
            names: [c.givenName, c.familyName, ...(c.middleName === undefined ? [] : [c.middleName])],
            birthDates: [c.birthDate],
            ids: [c.clientId, c.referralId, c.consentId, c.outcomeId, c.memberId, c.recordId, c.sourceReferralId],
          };
          expect(findPersonalData(report, known)).toEqual([]);
          // The scan is not vacuous: it finds every kind of the person in the identified referral.
          const inReferral = new Set(findPersonalData(referral, known).map((f) => f.kind));
          for (const kind of [
            'id',
            'personal-field',
            'name',
            'birth-date',
            'phone',
            'email',
            ...(postalCode === undefined ? [] : ['postal-code']),
          ]) {
            expect({ kind, found: inReferral.has(kind) }).toEqual({ kind, found: true });
          }

          expect(report.subjectPseudonym).toBe(hmac(KEY, 'client', c.clientId));
          expect(report.referralPseudonym).toBe(hmac(KEY, 'referral', c.referralId));
          expect(report.region).toBe(
            postalCode === undefined ? 'unknown' : (REGION_BY_LETTER[postalCode[0]] ?? 'unknown'),
          );
          expect(report.ageBand).toBe(
            c.birthDate > c.observedOn ? 'unknown' : bandOracle(ageOracle(c.birthDate, c.observedOn)),
          );
          for (const days of Object.values<number>(report.durations ?? {}))
            expect(Number.isInteger(days) && days >= 0).toBe(true);
        }),
        { numRuns: 300 },
      );
    });
  });
});
