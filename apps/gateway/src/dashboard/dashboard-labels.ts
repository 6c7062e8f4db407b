import { Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeTable, type CodeTableName } from '@passerelle/codes';
import { dataDir, schemaIdForPath, schemaRegistry } from '@passerelle/contracts';

/** Code tables whose labels the page shows, by the key it reads them under. */
const LABEL_TABLES: Record<string, CodeTableName> = {
  programs: 'programs',
  streams: 'streams',
  declineReasons: 'decline-reasons',
};

/** English and French label of each code, by the key the page reads the table under. */
export type Labels = Record<string, Record<string, { en: string; fr: string }>>;

interface RegionsFile {
  regions: { code: string; en: string; fr: string }[];
}

/**
 * Bilingual labels of the codes the report uses: from the code tables and `data/regions.json`,
 * the one place each lives. Read once, at start-up: a bad regions file stops the gateway there.
 */
@Injectable()
export class DashboardLabels {
  readonly all: Labels = loadLabels();
}

function loadLabels(): Labels {
  const labels: Labels = {};
  for (const [key, table] of Object.entries(LABEL_TABLES)) {
    labels[key] = Object.fromEntries(codeTable(table).entries.map((e) => [e.code, { en: e.en, fr: e.fr }]));
  }
  const regions = schemaRegistry().validate<RegionsFile>(
    schemaIdForPath('directory/regions.json'),
    JSON.parse(readFileSync(join(dataDir(), 'regions.json'), 'utf8')),
  );
  if (!regions.ok)
    throw new Error(
      `data/regions.json does not match its schema: ${regions.errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`,
    );
  labels.regions = Object.fromEntries(regions.value.regions.map((r) => [r.code, { en: r.en, fr: r.fr }]));
  return labels;
}
