import { isJsonObject, schemaIdForPath, schemasDir, type JsonObject, type JsonValue } from '@passerelle/contracts';
import { compareContracts, formatReport } from './compare-contracts';
import { liveContractFiles, loadContractTree, type ContractTree } from './contract-tree';
import { loadReleasedTree, MANIFEST_FILE } from './release';

// The evolution check of CI (npm test): the contract under schemas/ against the snapshot of the
// last release, schemas/released/ (npm run check:schemas prints the same report).

const released = loadReleasedTree(schemasDir());
const current = loadContractTree(schemasDir());

/** `tree` with the file `path` replaced by what `change` makes of a copy of it. */
function changed(tree: ContractTree, path: string, change: (file: JsonObject) => void): ContractTree {
  const copy = structuredClone(tree.get(path)) as JsonValue;
  if (!isJsonObject(copy)) throw new Error(`${path} is not in the tree`);
  change(copy);
  return new Map([...tree, [path, copy]]);
}

const objectAt = (value: JsonValue | undefined): JsonObject => {
  if (!isJsonObject(value)) throw new Error(`expected an object, got ${JSON.stringify(value)}`);
  return value;
};

describe('schemas/ against the last release (schemas/released/)', () => {
  it('has a snapshot whose manifest lists every file it holds', () => {
    expect(released.manifest.release).toMatch(/^\d+\.\d+\.\d+$/);
    expect([...released.tree.keys()]).toEqual(released.manifest.files);
    expect(released.manifest.files).toEqual(
      expect.arrayContaining(['openapi.yaml', 'asyncapi.yaml', 'canonical/referral.json', 'common/problem.json']),
    );
    expect(released.manifest.files).not.toContain(MANIFEST_FILE);
  });

  it('breaks nothing of the release without a new major version (npm run check:schemas)', () => {
    const report = compareContracts(released.tree, current);
    // On failure: make the change additive, or give the schema a new major version (schemas/README.md).
    expect({ breaking: formatReport(report, released.manifest.release).split('\n') }).toEqual({
      breaking: [`schemas/ is compatible with release ${released.manifest.release}${addedNote(report.added)}`],
    });
  });

  it('holds every live file of the contract (the live contract has no file the check skips)', () => {
    expect(liveContractFiles(schemasDir()).filter((path) => !current.has(path))).toEqual([]);
  });

  describe('fails a deliberately breaking change of the real contract', () => {
    const referral = 'canonical/referral.json';

    it.each<[string, ContractTree, string]>([
      [
        'a removed field',
        changed(current, referral, (s) => delete objectAt(s.properties).referralId),
        'removed-property',
      ],
      [
        'a narrowed type',
        changed(current, referral, (s) => (objectAt(objectAt(s.properties).referralId).type = 'integer')),
        'narrowed-type',
      ],
      [
        'a new required field',
        changed(current, referral, (s) => (s.required = [...(s.required as string[]), 'newRequiredField'])),
        'new-required',
      ],
      [
        'a removed enum value',
        changed(current, 'codes/programs.json', (s) => (s.enum = (s.enum as string[]).slice(1))),
        'removed-enum-value',
      ],
      [
        'a removed channel',
        changed(current, 'asyncapi.yaml', (d) => delete objectAt(d.channels).referrals),
        'removed-channel',
      ],
      [
        'a removed path',
        changed(current, 'openapi.yaml', (d) => delete objectAt(d.paths)['/v1/referrals']),
        'removed-path',
      ],
    ])('%s', (_name, tree, kind) => {
      expect(compareContracts(released.tree, tree).breaking.map((c) => c.kind)).toContain(kind);
    });

    it('and passes it with a new major version, which its referrers must then take too', () => {
      const bumped = changed(current, referral, (s) => {
        delete objectAt(s.properties).referralId;
        s.$id = schemaIdForPath(referral).replace('/v1/', '/v2/');
      });
      const report = compareContracts(released.tree, bumped);
      expect(report.majorBumps).toEqual([{ path: referral, from: 1, to: 2 }]);
      expect(report.breaking.length).toBeGreaterThan(0);
      expect(new Set(report.breaking.map((c) => c.kind))).toEqual(new Set(['changed-reference']));
      expect(report.breaking.map((c) => c.at)).toEqual(
        expect.arrayContaining([expect.stringMatching(/^asyncapi\.yaml#/)]),
      );
    });
  });
});

function addedNote(added: readonly string[]): string {
  return added.length === 0 ? '' : `; ${String(added.length)} new file(s)`;
}
