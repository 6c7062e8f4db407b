import { schemasDir } from '@passerelle/contracts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { compareContracts, formatReport } from './schema-evolution/compare-contracts';
import { loadContractTree } from './schema-evolution/contract-tree';
import {
  MANIFEST_FILE,
  compareSemver,
  isSemver,
  loadReleasedTree,
  releasedDir,
  writeRelease,
} from './schema-evolution/release';

const USAGE = [
  'usage: npm run check:schemas                       compare schemas/ with the last release (schemas/released/)',
  '       npm run release:schemas -- <X.Y.Z> [--allow-breaking]',
  '                                                   make the current schemas/ the last release',
].join('\n');

/**
 * `npm run check:schemas`: compares every schema and both documents with the snapshot of the
 * last release and exits 1 on a breaking change that is not a new major version (schemas/README.md).
 * `npm run release:schemas -- <X.Y.Z>`: the same check, then the snapshot is replaced by the
 * current tree as release X.Y.Z (above the last one); `--allow-breaking` releases despite
 * breaking changes (a deliberate new major of the whole contract).
 */
function main(argv: readonly string[]): number {
  const releaseAt = argv.indexOf('--release');
  const allowBreaking = argv.includes('--allow-breaking');
  const version = releaseAt >= 0 ? argv[releaseAt + 1] : undefined;
  const known = new Set(['--release', '--allow-breaking', ...(version === undefined ? [] : [version])]);
  if (argv.some((arg) => !known.has(arg)) || (releaseAt >= 0 && (version === undefined || !isSemver(version)))) {
    console.error(USAGE);
    return 2;
  }
  const dir = schemasDir();
  if (version !== undefined && !existsSync(join(releasedDir(dir), MANIFEST_FILE))) {
    return release(dir, version); // the first release: nothing to compare with
  }
  const { manifest, tree } = loadReleasedTree(dir);
  const report = compareContracts(tree, loadContractTree(dir));
  console.log(formatReport(report, manifest.release));
  if (version === undefined) return report.breaking.length === 0 ? 0 : 1;

  if (compareSemver(version, manifest.release) <= 0) {
    console.error(`release ${version} must be above the last release, ${manifest.release}`);
    return 2;
  }
  if (report.breaking.length > 0 && !allowBreaking) {
    console.error('not released: fix the breaking changes, bump the major versions, or pass --allow-breaking');
    return 1;
  }
  return release(dir, version);
}

function release(dir: string, version: string): number {
  const written = writeRelease(dir, version, new Date().toISOString().slice(0, 10));
  console.log(`schemas/released/ is now release ${written.release} (${String(written.files.length)} files)`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
}
