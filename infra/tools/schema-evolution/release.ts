import { RELEASED_SNAPSHOT_DIR, isJsonObject } from '@passerelle/contracts';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { liveContractFiles, readTree, type ContractTree } from './contract-tree';

/** The manifest of `schemas/released/`, beside the copied files. */
export const MANIFEST_FILE = 'manifest.json';

/** What `schemas/released/manifest.json` says of the snapshot. */
export interface ReleaseManifest {
  /** Version of the contract release (semver). */
  readonly release: string;
  /** Day of the release (`YYYY-MM-DD`). */
  readonly date: string;
  readonly description: string;
  /** Every file of the snapshot, relative to `schemas/released/`, sorted. */
  readonly files: readonly string[];
}

const SEMVER = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/;

/** Whether `version` is `MAJOR.MINOR.PATCH`. */
export function isSemver(version: string): boolean {
  return SEMVER.test(version);
}

/** Negative, zero or positive as semver `a` is below, equal to or above `b`. */
export function compareSemver(a: string, b: string): number {
  const parts = (version: string) => version.split('.').map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i += 1) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/** The folder of the snapshot under a `schemas/` folder. */
export function releasedDir(schemasDir: string): string {
  return join(schemasDir, RELEASED_SNAPSHOT_DIR);
}

/** The manifest of the snapshot under `schemasDir`; throws when it is missing or malformed. */
export function readManifest(schemasDir: string): ReleaseManifest {
  const file = join(releasedDir(schemasDir), MANIFEST_FILE);
  if (!existsSync(file)) throw new Error(`${file} is missing: no release to compare with`);
  const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (
    !isJsonObject(value) ||
    typeof value.release !== 'string' ||
    !isSemver(value.release) ||
    typeof value.date !== 'string' ||
    typeof value.description !== 'string' ||
    !Array.isArray(value.files) ||
    !value.files.every((f) => typeof f === 'string')
  ) {
    throw new Error(`${file} must hold { release: "X.Y.Z", date, description, files: [...] }`);
  }
  return { release: value.release, date: value.date, description: value.description, files: value.files };
}

/**
 * The released contract: the files the manifest lists, read from the snapshot. Throws when the
 * snapshot holds a file the manifest does not list, or lacks one it lists.
 */
export function loadReleasedTree(schemasDir: string): { manifest: ReleaseManifest; tree: ContractTree } {
  const manifest = readManifest(schemasDir);
  const dir = releasedDir(schemasDir);
  const present = liveContractFiles(dir);
  const listed = [...manifest.files].sort();
  const missing = listed.filter((f) => !present.includes(f));
  const unlisted = present.filter((f) => f !== MANIFEST_FILE && !listed.includes(f));
  if (missing.length > 0 || unlisted.length > 0) {
    throw new Error(
      `${dir} does not match its ${MANIFEST_FILE}: missing ${missing.join(', ') || 'none'}; ` +
        `not listed ${unlisted.join(', ') || 'none'}`,
    );
  }
  return { manifest, tree: readTree(dir, listed) };
}

/**
 * Replaces the snapshot under `schemasDir` with a byte-for-byte copy of the live contract
 * (every schema file, openapi.yaml and asyncapi.yaml) as release `version`, and writes its
 * manifest. Checking that the release is allowed is the caller's job.
 */
export function writeRelease(schemasDir: string, version: string, date: string): ReleaseManifest {
  if (!isSemver(version)) throw new Error(`release version "${version}" is not MAJOR.MINOR.PATCH`);
  const files = liveContractFiles(schemasDir);
  const dir = releasedDir(schemasDir);
  rmSync(dir, { recursive: true, force: true });
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(schemasDir, file), join(dir, file));
  }
  const manifest: ReleaseManifest = {
    release: version,
    date,
    description:
      'Snapshot of the contract as released: npm run check:schemas compares schemas/ with it and fails on a ' +
      'breaking change that is not a new major version (schemas/README.md). Not loaded at run time.',
    files,
  };
  writeFileSync(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
