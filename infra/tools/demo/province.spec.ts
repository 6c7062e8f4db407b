import { unmappedSourceCodes } from '@passerelle/codes';
import { schemaIdForPath, schemaRegistry } from '@passerelle/contracts';
import { CatchmentRouter } from '../../../apps/referral-tracker/src/routing/catchment-router';
import { loadProviderDirectory } from '../../../apps/referral-tracker/src/routing/provider-directory';
import { generateProvince, loadProvince } from './province';
import { providerRecords, referrerRecords } from './source-records';
import type { Story } from './story';

const data = loadProvince();
const directory = loadProviderDirectory();
const router = new CatchmentRouter(directory);
const options = {
  referrals: 600,
  seed: 7,
  from: '2025-01-01',
  to: '2025-12-31',
  now: new Date('2026-06-30T12:00:00Z'),
};
const stories = generateProvince(data, options);

const OW = schemaIdForPath('sources/ow-case-record.json');
const ODSP = schemaIdForPath('sources/odsp-employment-record.json');
const EO = schemaIdForPath('sources/eo-service-record.json');

function problems(schemaId: string, record: unknown): string[] {
  const result = schemaRegistry().validate(schemaId, record);
  return [
    ...(result.ok ? [] : result.errors.map((e) => `${e.pointer} ${e.message}`)),
    ...unmappedSourceCodes(schemaId, record).map((u) => u.reason),
  ];
}

describe('the demo province', () => {
  it('has every OW delivery agent (37 CMSMs, 10 DSSABs) and routes every covered area for employment services', () => {
    expect(data.deliveryAgents.filter((a) => a.kind === 'cmsm')).toHaveLength(37);
    expect(data.deliveryAgents.filter((a) => a.kind === 'dssab')).toHaveLength(10);
    expect(new Set(data.deliveryAgents.map((a) => a.code)).size).toBe(47);
    for (const org of [...data.deliveryAgents, ...data.odspOffices]) {
      for (const area of org.postalAreas)
        expect({
          org: org.code,
          area,
          routed: router.route({ serviceWanted: 'employment-services', postalCode: `${area} 1A1` }).routed,
        }).toEqual({ org: org.code, area, routed: true });
      for (const area of org.uncoveredPostalAreas ?? [])
        expect(router.route({ serviceWanted: 'employment-services', postalCode: `${area} 1A1` }).routed).toBe(false);
    }
  });

  it('covers the 15 catchments of the active providers of the directory', () => {
    const active = directory.providers.filter(
      (p) =>
        p.status === 'active' &&
        p.services.some((s) => s.serviceType === 'employment-services' && s.status === 'active' && s.capacity > 0),
    );
    const locations = active.flatMap((p) => p.locations.map((l, i) => `${p.id}#${i}`));
    expect(locations).toHaveLength(15);
    const reached = new Set<string>();
    for (const area of new Set([...data.deliveryAgents, ...data.odspOffices].flatMap((o) => o.postalAreas))) {
      const decision = router.route({ serviceWanted: 'employment-services', postalCode: `${area} 1A1` });
      if (!decision.routed) continue;
      const provider = active.find((p) => p.id === decision.provider)!;
      const index = provider.locations.findIndex((l) => l.catchment.includes(decision.catchment));
      reached.add(`${provider.id}#${index}`);
    }
    expect([...reached].sort()).toEqual([...locations].sort());
  });

  it('is the same for the same seed, and another for another seed', () => {
    expect(generateProvince(data, options)).toEqual(stories);
    expect(generateProvince(data, { ...options, seed: 8 }).map((s) => s.referrer)).not.toEqual(
      stories.map((s) => s.referrer),
    );
  });

  it('tells every kind of story: declines, no answer, withdrawals, no-shows, jobs, follow-ups, exits, duplicates', () => {
    const count = (p: (s: Story) => boolean) => stories.filter(p).length;
    expect(count((s) => s.program === 'ODSP')).toBeGreaterThan(100);
    expect(count((s) => !s.routable)).toBeGreaterThan(0);
    expect(count((s) => s.decision.kind === 'decline')).toBeGreaterThan(50);
    expect(count((s) => s.decision.kind === 'none' && s.routable)).toBeGreaterThan(5);
    expect(count((s) => s.withdrawnAt !== undefined)).toBeGreaterThan(3);
    expect(count((s) => s.service?.events.some((e) => e.attendance === 'NS') === true)).toBeGreaterThan(50);
    expect(count((s) => s.service?.job !== undefined)).toBeGreaterThan(100);
    expect(count((s) => s.service?.followUps.some((f) => f.code === 'FU12') === true)).toBeGreaterThan(10);
    expect(count((s) => s.service?.exit !== undefined)).toBeGreaterThan(50);
    expect(
      count(
        (s) => s.service?.eoSupport !== undefined && s.incomeSupport?.periodStart === s.service.eoSupport.periodStart,
      ),
    ).toBeGreaterThan(5);
    expect(count((s) => s.referrerOutcomes.some((o) => o.code === 'EXE'))).toBeGreaterThan(10);
    expect(new Set(stories.map((s) => s.referralId)).size).toBe(stories.length);
  });

  it('keeps everything within the period and before now, in order', () => {
    const now = options.now.getTime();
    for (const s of stories) {
      expect(s.requestedAt.slice(0, 10) >= options.from && s.requestedAt.slice(0, 10) <= options.to).toBe(true);
      const times = [
        s.recordedAt,
        s.decision.kind === 'none' ? undefined : s.decision.at,
        s.service?.at,
        s.service?.laterAt,
        s.laterAt,
      ].filter((t): t is string => t !== undefined);
      expect(times.every((t) => Date.parse(t) <= now)).toBe(true);
      expect(Date.parse(s.recordedAt)).toBeGreaterThan(Date.parse(s.requestedAt));
      if (s.decision.kind !== 'none') expect(Date.parse(s.decision.at)).toBeGreaterThan(Date.parse(s.recordedAt));
    }
  });

  it('writes records valid against the source schemas, with source codes that all map', () => {
    const invalid: string[] = [];
    for (const story of stories) {
      const { owCaseRecords, odspRecords } = referrerRecords(story);
      for (const r of owCaseRecords)
        invalid.push(...problems(OW, r).map((p) => `${r.sourceRecordId} v${r.recordVersion}: ${p}`));
      for (const r of odspRecords)
        invalid.push(...problems(ODSP, r).map((p) => `${r.sourceRecordId} v${r.recordVersion}: ${p}`));
      const { decision, later } = providerRecords(story, 'eo:provider-7');
      for (const r of [...(decision ? [decision] : []), ...later])
        invalid.push(...problems(EO, r).map((p) => `${r.sourceRecordId} v${r.recordVersion}: ${p}`));
    }
    expect(invalid).toEqual([]);
  });
});
