import { distinct, type BreakingChange } from './breaking-change';
import { compareAsyncApi, compareOpenApi, type DocumentComparison } from './compare-documents';
import { SchemaComparer } from './compare-schemas';
import { majorVersion, type ContractTree } from './contract-tree';

/** A file whose major version went up since the release: breaking changes to it are allowed. */
export interface MajorBump {
  readonly path: string;
  readonly from: number;
  readonly to: number;
}

/** The outcome of comparing the current contract with the last release. */
export interface EvolutionReport {
  /** Breaking changes to files still at the major version of the release: the check fails on any. */
  readonly breaking: readonly BreakingChange[];
  /** Files at a new major version (not compared). */
  readonly majorBumps: readonly MajorBump[];
  /** Files the release did not have. */
  readonly added: readonly string[];
}

/**
 * Compares every file of the release (schemas, openapi.yaml, asyncapi.yaml) with its current
 * version. A file at the same major version must not break (see {@link SchemaComparer} and
 * compare-documents.ts); a file at a higher major is not compared (its referrers are, and a
 * reference to a file whose major changed is itself a breaking change); a removed file, or a
 * major version that went down, is breaking. New files are fine.
 */
export function compareContracts(released: ContractTree, current: ContractTree): EvolutionReport {
  const ctx: DocumentComparison = { released, current, schemas: new SchemaComparer(released, current) };
  const breaking: BreakingChange[] = [];
  const majorBumps: MajorBump[] = [];
  for (const path of [...released.keys()].sort()) {
    const at = `${path}#`;
    if (!current.has(path)) {
      breaking.push({ kind: 'removed-file', at, message: `${path} removed` });
      continue;
    }
    const from = majorVersion(released, path) ?? 0;
    const to = majorVersion(current, path) ?? 0;
    if (to < from) {
      const message = `major version went down from ${String(from)} to ${String(to)}`;
      breaking.push({ kind: 'version-decreased', at, message });
    } else if (to > from) {
      majorBumps.push({ path, from, to });
    } else if (path === 'openapi.yaml') {
      breaking.push(...compareOpenApi(ctx, path));
    } else if (path === 'asyncapi.yaml') {
      breaking.push(...compareAsyncApi(ctx, path));
    } else {
      breaking.push(...ctx.schemas.compare(released.get(path), current.get(path), at));
    }
  }
  const added = [...current.keys()].filter((path) => !released.has(path)).sort();
  return { breaking: distinct(breaking), majorBumps, added };
}

/** The report as lines for people: each breaking change with where it is, then a summary. */
export function formatReport(report: EvolutionReport, releaseName: string): string {
  const lines: string[] = [];
  for (const change of report.breaking) lines.push(`  ${change.kind}: ${change.at}\n    ${change.message}`);
  for (const bump of report.majorBumps) {
    lines.push(`  new major: ${bump.path} v${String(bump.from)} -> v${String(bump.to)}`);
  }
  const summary =
    report.breaking.length === 0
      ? `schemas/ is compatible with release ${releaseName}`
      : `schemas/ breaks release ${releaseName} in ${String(report.breaking.length)} place(s) without a new major version`;
  const added = report.added.length === 0 ? '' : `; ${String(report.added.length)} new file(s)`;
  return [...lines, `${summary}${added}`].join('\n');
}
