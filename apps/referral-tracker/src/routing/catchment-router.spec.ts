import { schemaRegistry, schemasDir } from '@passerelle/contracts';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  CatchmentRouter,
  UnroutableReason,
  postalAreaOf,
  type RoutingDecision,
  type RoutingRequest,
} from './catchment-router';
import {
  PROVIDER_DIRECTORY_SCHEMA_ID,
  ProviderDirectoryError,
  ProviderDirectoryErrorCode,
  defaultProviderDirectoryFile,
  loadProviderDirectory,
  providerDirectoryFrom,
  type DirectoryProvider,
  type ProviderDirectory,
  type ServiceType,
} from './provider-directory';

const DATA_FILE = join(dirname(schemasDir()), 'data', 'provider-directory.json');
const SERVICE_TYPES = (
  JSON.parse(readFileSync(join(schemasDir(), 'codes', 'service-types.json'), 'utf8')) as { enum: ServiceType[] }
).enum;

type ServiceSpec = [ServiceType, number, ('active' | 'inactive')?];

function provider(
  id: string,
  services: ServiceSpec[],
  catchments: string[][],
  options: { providerType?: 'direct' | 'third-party'; status?: 'active' | 'inactive' } = {},
): DirectoryProvider {
  return {
    id,
    name: { en: `Provider ${id}`, fr: `Fournisseur ${id}` },
    providerType: options.providerType ?? 'direct',
    status: options.status ?? 'active',
    services: services.map(([serviceType, capacity, status]) => ({
      serviceType,
      capacity,
      status: status ?? 'active',
    })),
    locations: catchments.map((catchment, i) => ({
      name: `Site ${i + 1}`,
      address: { line1: `${i + 1} Main Street`, city: 'Toronto', province: 'ON', postalCode: 'M5V 3L9' },
      catchment,
    })),
  };
}

/** A small directory where each rule decides at least one request. */
const TEST_DIRECTORY: ProviderDirectory = {
  providers: [
    provider(
      'eo:city',
      [
        ['employment-services', 5],
        ['apprenticeship', 3],
      ],
      [['M']],
      { providerType: 'third-party' },
    ),
    provider('eo:north', [['employment-services', 2]], [['M9V', 'M9W'], ['M3N']]),
    provider('eo:north-b', [['employment-services', 2]], [['M9V']], { providerType: 'third-party' }),
    provider(
      'eo:ottawa-full',
      [
        ['literacy-and-basic-skills', 0],
        ['employment-services', 0],
      ],
      [['K1']],
    ),
    provider(
      'eo:ottawa-closed',
      [
        ['employment-services', 9],
        ['self-employment', 9],
      ],
      [['K1A']],
      { status: 'inactive' },
    ),
    provider(
      'eo:ottawa-paused',
      [
        ['better-jobs-ontario', 9, 'inactive'],
        ['employment-services', 1],
      ],
      [['K2'], ['K1A']],
    ),
  ],
};

const router = () => new CatchmentRouter(TEST_DIRECTORY);
const route = (request: RoutingRequest): RoutingDecision => router().route(request);

describe('postalAreaOf', () => {
  it.each([
    ['K1A 0B1', 'K1A'],
    ['k1a0b1', 'K1A'],
    ['  p3c 1a1', 'P3C'],
    ['M', 'M'],
  ])('%s -> %s', (postalCode, region) => expect(postalAreaOf(postalCode)).toBe(region));
});

describe('CatchmentRouter', () => {
  describe('by catchment', () => {
    it('prefers the longest matching prefix, then the most capacity, then the id', () => {
      expect(route({ serviceWanted: 'employment-services', postalCode: 'M9V 1B4' })).toEqual({
        routed: true,
        provider: 'eo:north',
        providerType: 'direct',
        assignedBy: 'catchment',
        catchment: 'M9V',
      });
      const r = router();
      r.replaceDirectory({
        providers: TEST_DIRECTORY.providers.map((p) =>
          p.id === 'eo:north-b'
            ? provider('eo:north-b', [['employment-services', 3]], [['M9V']], { providerType: 'third-party' })
            : p,
        ),
      });
      expect(r.route({ serviceWanted: 'employment-services', postalCode: 'M9V 1B4' })).toMatchObject({
        provider: 'eo:north-b',
        catchment: 'M9V',
      });
    });

    it('matches on any location of a provider', () => {
      expect(route({ serviceWanted: 'employment-services', postalCode: 'M3N 2J2' })).toMatchObject({
        provider: 'eo:north',
        catchment: 'M3N',
      });
    });

    it('falls back to a wider catchment', () => {
      expect(route({ serviceWanted: 'employment-services', postalCode: 'M5V 3L9' })).toEqual({
        routed: true,
        provider: 'eo:city',
        providerType: 'third-party',
        assignedBy: 'catchment',
        catchment: 'M',
      });
    });

    it('normalizes the postal code (case, spaces)', () => {
      expect(route({ serviceWanted: 'employment-services', postalCode: ' m9w 1a1 ' })).toMatchObject({
        provider: 'eo:north',
        catchment: 'M9W',
      });
    });

    it('skips inactive providers, inactive services and providers at capacity 0', () => {
      // eo:ottawa-closed (inactive, K1A) and eo:ottawa-full (capacity 0, K1) lose to eo:ottawa-paused.
      expect(route({ serviceWanted: 'employment-services', postalCode: 'K1A 0B1' })).toMatchObject({
        provider: 'eo:ottawa-paused',
        catchment: 'K1A',
      });
    });
  });

  describe('preferred provider', () => {
    it('wins when it offers the service with open places, whatever the catchment', () => {
      expect(
        route({ serviceWanted: 'employment-services', preferredProvider: 'eo:north', postalCode: 'K2P 1L4' }),
      ).toEqual({
        routed: true,
        provider: 'eo:north',
        providerType: 'direct',
        assignedBy: 'preferred',
        catchment: 'M9V',
      });
    });

    it('reports its best-matching prefix, or its first one', () => {
      expect(
        route({ serviceWanted: 'employment-services', preferredProvider: 'eo:north', postalCode: 'M3N 1A1' }),
      ).toMatchObject({
        assignedBy: 'preferred',
        catchment: 'M3N',
      });
      expect(route({ serviceWanted: 'employment-services', preferredProvider: 'eo:north-b' })).toMatchObject({
        provider: 'eo:north-b',
        assignedBy: 'preferred',
        catchment: 'M9V',
      });
    });

    it.each([
      ['eo:nowhere', 'is not in the provider directory'],
      ['eo:ottawa-closed', 'is inactive'],
      ['eo:city', 'does not offer literacy-and-basic-skills'],
      ['eo:ottawa-full', 'has no open places for literacy-and-basic-skills'],
    ])('is passed over when %s %s', (preferredProvider, why) => {
      const decision = route({ serviceWanted: 'literacy-and-basic-skills', preferredProvider, postalCode: 'K1A 0B1' });
      expect(decision).toEqual({
        routed: false,
        code: UnroutableReason.NoCapacity,
        reason: `Every provider offering literacy-and-basic-skills in postal code area K1A is at capacity (eo:ottawa-full). Preferred provider ${preferredProvider} ${why}.`,
      });
    });

    it('is passed over for catchment routing when it does not offer the service', () => {
      expect(route({ serviceWanted: 'apprenticeship', preferredProvider: 'eo:north', postalCode: 'M4C 1B5' })).toEqual({
        routed: true,
        provider: 'eo:city',
        providerType: 'third-party',
        assignedBy: 'catchment',
        catchment: 'M',
      });
    });

    it('is passed over when its service is inactive', () => {
      expect(
        route({ serviceWanted: 'better-jobs-ontario', preferredProvider: 'eo:ottawa-paused', postalCode: 'K2P 1L4' }),
      ).toEqual({
        routed: false,
        code: UnroutableReason.NoProviderForService,
        reason:
          'No active provider offers better-jobs-ontario (postal code area K2P). Preferred provider eo:ottawa-paused does not offer better-jobs-ontario.',
      });
    });
  });

  describe('refusals', () => {
    it('needs a postal code when no preferred provider can take the client', () => {
      for (const postalCode of [undefined, '', '   ']) {
        expect(
          route({ serviceWanted: 'employment-services', ...(postalCode === undefined ? {} : { postalCode }) }),
        ).toEqual({
          routed: false,
          code: UnroutableReason.NoPostalCode,
          reason:
            'Cannot route employment-services by catchment without a postal code, and no usable preferred provider was given.',
        });
      }
      expect(route({ serviceWanted: 'employment-services', preferredProvider: 'eo:ottawa-full' })).toEqual({
        routed: false,
        code: UnroutableReason.NoPostalCode,
        reason:
          'Cannot route employment-services by catchment without a postal code, and no usable preferred provider was given. Preferred provider eo:ottawa-full has no open places for employment-services.',
      });
    });

    it('says when no active provider offers the service at all (postal code or not)', () => {
      expect(route({ serviceWanted: 'self-employment', postalCode: 'K1A 0B1' })).toEqual({
        routed: false,
        code: UnroutableReason.NoProviderForService,
        reason: 'No active provider offers self-employment (postal code area K1A).',
      });
      expect(route({ serviceWanted: 'better-jobs-ontario' })).toEqual({
        routed: false,
        code: UnroutableReason.NoProviderForService,
        reason: 'No active provider offers better-jobs-ontario (no postal code).',
      });
    });

    it('says when no provider of the service serves the catchment', () => {
      expect(route({ serviceWanted: 'apprenticeship', postalCode: 'P3C 1A1' })).toEqual({
        routed: false,
        code: UnroutableReason.NoProviderInCatchment,
        reason: 'No active provider offering apprenticeship serves postal code area P3C.',
      });
      expect(route({ serviceWanted: 'employment-services', postalCode: '90210' })).toMatchObject({
        code: UnroutableReason.NoProviderInCatchment,
      });
    });

    it('says when every provider in the catchment is full, naming only the area', () => {
      const decision = route({ serviceWanted: 'literacy-and-basic-skills', postalCode: 'k1a 0b1' });
      expect(decision).toEqual({
        routed: false,
        code: UnroutableReason.NoCapacity,
        reason:
          'Every provider offering literacy-and-basic-skills in postal code area K1A is at capacity (eo:ottawa-full).',
      });
      // The full postal code is personal data: refusal reasons travel in events and logs.
      if (!decision.routed) expect(decision.reason).not.toMatch(/0B1/i);
    });
  });

  describe('directory', () => {
    it('looks providers up by id, inactive ones included', () => {
      expect(router().provider('eo:ottawa-closed')?.status).toBe('inactive');
      expect(router().provider('eo:nowhere')).toBeUndefined();
    });

    it('routes on the replacing directory at once', () => {
      const r = router();
      r.replaceDirectory({ providers: [provider('eo:sudbury', [['apprenticeship', 1]], [['P3']])] });
      expect(r.route({ serviceWanted: 'apprenticeship', postalCode: 'P3C 1A1' })).toMatchObject({
        provider: 'eo:sudbury',
        catchment: 'P3',
      });
      expect(r.provider('eo:city')).toBeUndefined();
      expect(r.route({ serviceWanted: 'employment-services', postalCode: 'M5V 3L9' })).toMatchObject({
        code: UnroutableReason.NoProviderForService,
      });
    });
  });

  describe('properties', () => {
    const ids = ['eo:a', 'eo:b', 'eo:c', 'eo:d', 'eo:e'];
    const prefixes = ['K', 'K1', 'K1A', 'K2', 'M', 'M9V', 'P3', 'P3C'];
    const postalCodes = ['K1A 0B1', 'k1a0b1', 'K2P 1L4', 'M9V 1B4', 'M5V 3L9', 'P3C 1A1', 'L8P 4R5', '', '  '];

    const serviceArb = fc.record({
      serviceType: fc.constantFrom(...SERVICE_TYPES),
      status: fc.constantFrom('active' as const, 'inactive' as const),
      capacity: fc.integer({ min: 0, max: 3 }),
    });
    const providerArb = (id: string) =>
      fc.record({
        id: fc.constant(id),
        name: fc.constant({ en: id, fr: id }),
        providerType: fc.constantFrom('direct' as const, 'third-party' as const),
        status: fc.constantFrom('active' as const, 'active' as const, 'inactive' as const),
        services: fc.uniqueArray(serviceArb, { selector: (s) => s.serviceType, maxLength: 3 }),
        locations: fc.array(
          fc.record({
            name: fc.constant('Site'),
            address: fc.constant({
              line1: '1 Main Street',
              city: 'Ottawa',
              province: 'ON' as const,
              postalCode: 'K1A 0B1',
            }),
            catchment: fc.uniqueArray(fc.constantFrom(...prefixes), { minLength: 1, maxLength: 3 }),
          }),
          { minLength: 1, maxLength: 2 },
        ),
      });
    const directoryArb: fc.Arbitrary<ProviderDirectory> = fc
      .subarray(ids)
      .chain((chosen) => fc.tuple(...chosen.map(providerArb)))
      .map((providers) => ({ providers }));
    const requestArb: fc.Arbitrary<RoutingRequest> = fc.record(
      {
        serviceWanted: fc.constantFrom(...SERVICE_TYPES),
        preferredProvider: fc.constantFrom(...ids, 'eo:unknown'),
        postalCode: fc.constantFrom(...postalCodes),
      },
      { requiredKeys: ['serviceWanted'] },
    );

    it('routes only to an active provider offering the service with open places, in a matching catchment', () => {
      fc.assert(
        fc.property(directoryArb, requestArb, (directory, request) => {
          const decision = new CatchmentRouter(directory).route(request);
          if (!decision.routed) return;
          const chosen = directory.providers.find((p) => p.id === decision.provider);
          expect(chosen?.status).toBe('active');
          const service = chosen?.services.find((s) => s.serviceType === request.serviceWanted);
          expect(service?.status).toBe('active');
          expect(service?.capacity).toBeGreaterThan(0);
          expect(decision.providerType).toBe(chosen?.providerType);
          const own = chosen?.locations.flatMap((l) => l.catchment) ?? [];
          expect(own).toContain(decision.catchment);
          const postal = (request.postalCode ?? '').replace(/\s+/g, '').toUpperCase();
          if (decision.assignedBy === 'preferred') {
            expect(decision.provider).toBe(request.preferredProvider);
          } else {
            expect(postal.startsWith(decision.catchment)).toBe(true);
            // No eligible provider holds a more specific prefix.
            for (const other of directory.providers) {
              const open =
                other.status === 'active' &&
                other.services.some(
                  (s) => s.serviceType === request.serviceWanted && s.status === 'active' && s.capacity > 0,
                );
              if (!open) continue;
              for (const prefix of other.locations.flatMap((l) => l.catchment)) {
                if (postal.startsWith(prefix)) expect(prefix.length).toBeLessThanOrEqual(decision.catchment.length);
              }
            }
          }
        }),
        { numRuns: 500 },
      );
    });

    it('is deterministic, whatever the order of the directory', () => {
      fc.assert(
        fc.property(
          directoryArb.chain((directory) =>
            fc.tuple(
              fc.constant(directory),
              fc.shuffledSubarray([...directory.providers], { minLength: directory.providers.length }),
            ),
          ),
          requestArb,
          ([directory, shuffled], request) => {
            const first = new CatchmentRouter(directory).route(request);
            expect(new CatchmentRouter(directory).route(request)).toEqual(first);
            expect(new CatchmentRouter({ providers: shuffled }).route(request)).toEqual(first);
          },
        ),
        { numRuns: 500 },
      );
    });

    it('refuses only when no provider could take the client', () => {
      fc.assert(
        fc.property(directoryArb, requestArb, (directory, request) => {
          const decision = new CatchmentRouter(directory).route(request);
          if (decision.routed) return;
          const postal = (request.postalCode ?? '').replace(/\s+/g, '').toUpperCase();
          const eligible = directory.providers.filter(
            (p) =>
              p.status === 'active' &&
              p.services.some(
                (s) => s.serviceType === request.serviceWanted && s.status === 'active' && s.capacity > 0,
              ) &&
              (p.id === request.preferredProvider ||
                (postal !== '' && p.locations.some((l) => l.catchment.some((c) => postal.startsWith(c))))),
          );
          expect(eligible).toEqual([]);
          expect(decision.reason).toContain(request.serviceWanted);
        }),
        { numRuns: 500 },
      );
    });
  });
});

describe('provider directory data', () => {
  const directory = loadProviderDirectory();
  const byId = new Map(directory.providers.map((p) => [p.id, p]));

  it('is found beside schemas/ and validates against its schema', () => {
    expect(defaultProviderDirectoryFile()).toBe(DATA_FILE);
    const data = JSON.parse(readFileSync(DATA_FILE, 'utf8')) as unknown;
    expect(schemaRegistry().validate(PROVIDER_DIRECTORY_SCHEMA_ID, data)).toEqual({ ok: true, value: data });
  });

  it('holds eo:provider-1 to eo:provider-12, of both types, one inactive, one service full', () => {
    for (let n = 1; n <= 12; n += 1) expect(byId.has(`eo:provider-${n}`)).toBe(true);
    expect(new Set(directory.providers.map((p) => p.providerType))).toEqual(new Set(['direct', 'third-party']));
    expect(directory.providers.filter((p) => p.status === 'inactive').map((p) => p.id)).toEqual(['eo:provider-12']);
    expect(directory.providers.some((p) => p.status === 'active' && p.services.some((s) => s.capacity === 0))).toBe(
      true,
    );
    expect(new Set(directory.providers.flatMap((p) => p.services.map((s) => s.serviceType)))).toEqual(
      new Set(SERVICE_TYPES),
    );
  });

  it('lets every active provider be preferred for employment services', () => {
    const r = new CatchmentRouter(directory);
    for (const p of directory.providers.filter((p) => p.status === 'active')) {
      expect(r.route({ serviceWanted: 'employment-services', preferredProvider: p.id })).toMatchObject({
        routed: true,
        provider: p.id,
        assignedBy: 'preferred',
      });
    }
  });

  it.each([
    ['employment-services', 'M9V 1B4', 'eo:provider-1', 'M9V'],
    ['employment-services', 'M3N 2J2', 'eo:provider-2', 'M3N'],
    ['employment-services', 'M4C 1B5', 'eo:provider-3', 'M'],
    ['apprenticeship', 'M9V 1B4', 'eo:provider-3', 'M'],
    ['employment-services', 'M1B 4Y7', 'eo:provider-3', 'M'],
    ['employment-services', 'K1L 6B1', 'eo:provider-4', 'K1L'],
    ['self-employment', 'K2G 5W1', 'eo:provider-5', 'K2G'],
    ['employment-services', 'K1A 0B1', 'eo:provider-6', 'K1A'],
    ['employment-services', 'K1N 5T5', 'eo:provider-6', 'K1N'],
    ['literacy-and-basic-skills', 'P3C 1A1', 'eo:provider-7', 'P3C'],
    ['employment-services', 'P9N 1E9', 'eo:provider-8', 'P9N'],
    ['employment-services', 'P8N 1B7', 'eo:provider-9', 'P8N'],
    ['employment-services', 'L8P 4R5', 'eo:provider-10', 'L8P'],
    ['employment-services', 'N9A 6J3', 'eo:provider-11', 'N9A'],
    ['apprenticeship', 'N8X 1A1', 'eo:provider-11', 'N8X'],
    ['employment-services', 'L5M 1K8', 'eo:provider-13', 'L5M'],
    ['employment-services', 'L3Y 3Z1', 'eo:provider-14', 'L3Y'],
  ] as const)('routes %s at %s to %s (%s)', (serviceWanted, postalCode, expected, catchment) => {
    expect(new CatchmentRouter(directory).route({ serviceWanted, postalCode })).toMatchObject({
      routed: true,
      provider: expected,
      assignedBy: 'catchment',
      catchment,
    });
  });

  it('refuses literacy in Windsor (the only provider is full) and self-employment in Sudbury', () => {
    const r = new CatchmentRouter(directory);
    expect(r.route({ serviceWanted: 'literacy-and-basic-skills', postalCode: 'N9A 6J3' })).toMatchObject({
      code: UnroutableReason.NoCapacity,
    });
    expect(r.route({ serviceWanted: 'self-employment', postalCode: 'P3C 1A1' })).toMatchObject({
      code: UnroutableReason.NoProviderInCatchment,
    });
    expect(
      r.route({
        serviceWanted: 'literacy-and-basic-skills',
        preferredProvider: 'eo:provider-12',
        postalCode: 'M1B 4Y7',
      }),
    ).toMatchObject({
      code: UnroutableReason.NoProviderInCatchment,
      reason: expect.stringContaining('Preferred provider eo:provider-12 is inactive.') as string,
    });
  });

  it('is deep-frozen', () => {
    expect(Object.isFrozen(directory.providers[0].services[0])).toBe(true);
    expect(Object.isFrozen(directory.providers[0].locations[0].catchment)).toBe(true);
  });
});

describe('loadProviderDirectory', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'directory-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const errorOf = (run: () => unknown): ProviderDirectoryError => {
    try {
      run();
    } catch (error) {
      if (error instanceof ProviderDirectoryError) return error;
      throw error;
    }
    throw new Error('no error');
  };
  const valid = () =>
    structuredClone({ providers: TEST_DIRECTORY.providers }) as unknown as {
      providers: Array<Record<string, unknown>>;
    };

  it('refuses a missing or non-JSON file, naming it', () => {
    const missing = join(dir, 'missing.json');
    expect(errorOf(() => loadProviderDirectory(missing))).toMatchObject({
      code: ProviderDirectoryErrorCode.Unreadable,
      source: missing,
    });
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"providers": [');
    expect(errorOf(() => loadProviderDirectory(broken)).message).toContain(`${broken}#`);
  });

  it('refuses bad data, naming each pointer', () => {
    const data = valid();
    data.providers[0].id = 'provider-1';
    (data.providers[1].services as Array<Record<string, unknown>>)[0].capacity = -1;
    (data.providers[2].locations as Array<Record<string, unknown>>)[0].catchment = ['m9v'];
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(data));
    const error = errorOf(() => loadProviderDirectory(file));
    expect(error.code).toBe(ProviderDirectoryErrorCode.SchemaViolation);
    expect(error.errors.map((e) => e.pointer).sort()).toEqual([
      '/providers/0/id',
      '/providers/1/services/0/capacity',
      '/providers/2/locations/0/catchment/0',
    ]);
    expect(error.message).toContain(`${file}#/providers/1/services/0/capacity`);
  });

  it('refuses a repeated provider id or service type', () => {
    const data = valid();
    data.providers[2].id = 'eo:city';
    (data.providers[3].services as unknown[]).push({
      serviceType: 'employment-services',
      status: 'active',
      capacity: 1,
    });
    const error = errorOf(() => providerDirectoryFrom(data, 'upload'));
    expect(error.code).toBe(ProviderDirectoryErrorCode.Inconsistent);
    expect(error.errors).toEqual([
      { pointer: '/providers/2/id', code: 'duplicate', message: 'repeats the id of /providers/0' },
      {
        pointer: '/providers/3/services/2/serviceType',
        code: 'duplicate',
        message: 'repeats the service type of /providers/3/services/1',
      },
    ]);
    expect(error.message).toContain('upload#/providers/2/id');
  });

  it('accepts the test directory and returns a frozen copy', () => {
    const data = valid();
    const loaded = providerDirectoryFrom(data);
    expect(loaded).toEqual(data);
    expect(loaded).not.toBe(data);
    expect(Object.isFrozen(loaded.providers)).toBe(true);
  });
});
