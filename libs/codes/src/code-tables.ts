import { schemasDir } from '@passerelle/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Names of the code tables: each is the file `schemas/codes/<name>.json`. The unit tests check
 * that this list is exactly the files of that folder.
 */
export const CODE_TABLE_NAMES = [
  'activities',
  'alert-kinds',
  'attendance-statuses',
  'benefit-types',
  'consent-purposes',
  'decline-reasons',
  'deferral-reasons',
  'education-levels',
  'evidence-types',
  'exit-reasons',
  'languages',
  'outcome-types',
  'plan-types',
  'programs',
  'referral-business-statuses',
  'referral-change-reasons',
  'referral-pathways',
  'referral-statuses',
  'service-types',
  'source-systems',
  'streams',
] as const;

export type CodeTableName = (typeof CODE_TABLE_NAMES)[number];

/**
 * Systems of record whose codes the tables map (the codes of `schemas/codes/source-systems.json`;
 * the unit tests check the two agree).
 */
export const SOURCE_SYSTEMS = ['sams', 'odsp', 'cams'] as const;

export type SourceSystem = (typeof SOURCE_SYSTEMS)[number];

/** Languages of the labels (Ontario's French Language Services Act: English and French). */
export type Lang = 'en' | 'fr';

/** One canonical code with its labels (an entry of `x-codes`). */
export interface CodeEntry {
  readonly code: string;
  readonly en: string;
  readonly fr: string;
  readonly description?: string;
}

/** A code table as loaded from `schemas/codes/<name>.json`. */
export interface CodeTable {
  readonly name: CodeTableName;
  /** `$id` of the table's schema file: canonical schemas `$ref` it. */
  readonly schemaId: string;
  readonly title: string;
  readonly description: string;
  /** The canonical codes, in the order of the file (its `enum`). */
  readonly codes: readonly string[];
  /** One entry per code, in the same order, with its `en` and `fr` labels. */
  readonly entries: readonly CodeEntry[];
  /** Source code -> canonical code, per source system that has codes for this table. */
  readonly sourceMaps: Readonly<Partial<Record<SourceSystem, Readonly<Record<string, string>>>>>;
}

export type SourceCodeMapping = { ok: true; code: string } | { ok: false; reason: string };

const cache = new Map<string, Map<CodeTableName, CodeTable>>();

let defaultTables: Map<CodeTableName, CodeTable> | undefined;

function tables(dir?: string): Map<CodeTableName, CodeTable> {
  // Looked up for every code of every mapped record: the default folder's tables are kept at hand.
  if (dir === undefined) return (defaultTables ??= tables(schemasDir()));
  let loaded = cache.get(dir);
  if (loaded === undefined) {
    loaded = new Map(CODE_TABLE_NAMES.map((name) => [name, loadTable(dir, name)]));
    cache.set(dir, loaded);
  }
  return loaded;
}

/** Whether `name` is the name of a code table. */
export function isCodeTableName(name: string): name is CodeTableName {
  return (CODE_TABLE_NAMES as readonly string[]).includes(name);
}

/** The code table `name`, loaded once per process from `schemas/codes/<name>.json`. */
export function codeTable(name: CodeTableName): CodeTable {
  const table = tables().get(name);
  if (table === undefined) throw new Error(`unknown code table "${name}" (known: ${CODE_TABLE_NAMES.join(', ')})`);
  return table;
}

/** Every code table. */
export function codeTables(): CodeTable[] {
  return CODE_TABLE_NAMES.map(codeTable);
}

/** Whether `code` is a canonical code of `table`. */
export function isCode(table: CodeTableName, code: string): boolean {
  return codeTable(table).codes.includes(code);
}

/** The `en` or `fr` label of a canonical code; throws for a code the table does not hold. */
export function label(table: CodeTableName, code: string, lang: Lang): string {
  const entry = codeTable(table).entries.find((e) => e.code === code);
  if (entry === undefined) throw new Error(`"${code}" is not a code of code table ${table}`);
  return entry[lang];
}

/**
 * The canonical code a source system's code maps to in `table`. A source code with no mapping
 * is never turned into a default: the answer is `ok: false` with a reason naming the table, the
 * system and the code (the caller adds the field and sends the record to the DLQ).
 */
export function mapSourceCode(table: CodeTableName, sourceSystem: SourceSystem, sourceCode: string): SourceCodeMapping {
  const map = codeTable(table).sourceMaps[sourceSystem];
  if (map === undefined) {
    return {
      ok: false,
      reason: `code table ${table} has no map for source system ${sourceSystem} (code "${sourceCode}")`,
    };
  }
  if (!Object.hasOwn(map, sourceCode)) {
    return { ok: false, reason: `${sourceSystem} code "${sourceCode}" has no mapping in code table ${table}` };
  }
  return { ok: true, code: map[sourceCode] };
}

function loadTable(dir: string, name: CodeTableName): CodeTable {
  const file = join(dir, 'codes', `${name}.json`);
  const where = `schemas/codes/${name}.json`;
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`cannot read code table ${where}: ${(error as Error).message}`, { cause: error });
  }
  const codes = doc.enum;
  const entries = doc['x-codes'];
  if (!Array.isArray(codes) || !codes.every((c) => typeof c === 'string'))
    throw new Error(`${where}: enum must list the codes as strings`);
  if (!Array.isArray(entries)) throw new Error(`${where}: x-codes must be an array`);
  const checked: CodeEntry[] = entries.map((entry: unknown, i: number) => {
    if (!isCodeEntry(entry)) throw new Error(`${where}: x-codes/${i} must have string code, en and fr`);
    return Object.freeze({ ...entry });
  });
  const rawMaps = (doc['x-source-maps'] ?? {}) as Record<string, unknown>;
  const sourceMaps: Partial<Record<SourceSystem, Readonly<Record<string, string>>>> = {};
  for (const [system, map] of Object.entries(rawMaps)) {
    if (!(SOURCE_SYSTEMS as readonly string[]).includes(system))
      throw new Error(`${where}: x-source-maps names unknown source system "${system}"`);
    if (typeof map !== 'object' || map === null || !Object.values(map).every((v) => typeof v === 'string')) {
      throw new Error(`${where}: x-source-maps/${system} must map source codes to code strings`);
    }
    sourceMaps[system as SourceSystem] = Object.freeze({ ...(map as Record<string, string>) });
  }
  return Object.freeze({
    name,
    schemaId: String(doc.$id),
    title: String(doc.title),
    description: String(doc.description),
    codes: Object.freeze([...codes]),
    entries: Object.freeze(checked),
    sourceMaps: Object.freeze(sourceMaps),
  });
}

function isCodeEntry(value: unknown): value is CodeEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Partial<Record<keyof CodeEntry, unknown>>;
  return typeof e.code === 'string' && typeof e.en === 'string' && typeof e.fr === 'string';
}
