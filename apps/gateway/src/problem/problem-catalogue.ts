import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { dataDir, type components } from '@passerelle/contracts';
import type { Language } from './problem-language';
import { problemSlug, problemType } from './problem';

export type ProblemTypeView = components['schemas']['ProblemType'];

/** One entry of `data/problem-catalogue.json`. */
export interface ProblemCatalogueEntry {
  status: number;
  title: Record<Language, string>;
  description: Record<Language, string>;
}

function readCatalogue(): Record<string, ProblemCatalogueEntry> {
  const file = join(dataDir(), 'problem-catalogue.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { problems: Record<string, ProblemCatalogueEntry> }).problems;
}

/**
 * The error catalogue: every problem code the gateway answers with (`data/problem-catalogue.json`),
 * served at the URI each problem's `type` names, in English or French.
 */
@Injectable()
export class ProblemCatalogue {
  private readonly bySlug: Map<string, { code: string; entry: ProblemCatalogueEntry }>;

  constructor(problems: Record<string, ProblemCatalogueEntry> = readCatalogue()) {
    this.bySlug = new Map(Object.entries(problems).map(([code, entry]) => [problemSlug(code), { code, entry }]));
  }

  /** Every code, in the order of the catalogue. */
  codes(): string[] {
    return [...this.bySlug.values()].map(({ code }) => code);
  }

  all(language: Language): ProblemTypeView[] {
    return [...this.bySlug.values()].map(({ code, entry }) => view(code, entry, language));
  }

  /** The entry a type URI ends with (`scope-missing`), or `undefined`. */
  find(slug: string, language: Language): ProblemTypeView | undefined {
    const found = this.bySlug.get(slug);
    return found && view(found.code, found.entry, language);
  }
}

function view(code: string, entry: ProblemCatalogueEntry, language: Language): ProblemTypeView {
  return {
    type: problemType(code),
    code,
    status: entry.status,
    title: entry.title[language],
    description: entry.description[language],
  };
}
