import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir } from '@passerelle/contracts';

/** The languages the gateway answers in (Ontario's two official languages). */
export type Language = 'en' | 'fr';

/**
 * The language a request prefers, from `Accept-Language` (RFC 9110: quality values, language
 * ranges like `fr-CA`, `*`): French only when the caller ranks it above English, English otherwise.
 */
export function preferredLanguage(header: string | undefined): Language {
  if (!header) return 'en';
  const ranked = header
    .split(',')
    .map((part, order) => {
      const [range, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const quality = q === undefined ? 1 : Number(q.slice(2));
      return { primary: range.trim().split('-')[0], quality: Number.isFinite(quality) ? quality : 0, order };
    })
    .filter((r) => r.quality > 0 && (r.primary === 'en' || r.primary === 'fr'))
    .sort((a, b) => b.quality - a.quality || a.order - b.order);
  return ranked[0]?.primary === 'fr' ? 'fr' : 'en';
}

interface ProblemTexts {
  /** French title by status. */
  titles: Record<string, string>;
  texts: Array<{ en: string; fr: string }>;
}

/**
 * French for problem responses, from `data/problem-texts.json`: titles by status, and English
 * details and field messages matched by pattern. What no pattern matches stays in English.
 */
export class ProblemTranslator {
  private readonly titles: ProblemTexts['titles'];
  private readonly texts: Array<{ pattern: RegExp; fr: string }>;

  constructor(
    texts: ProblemTexts = JSON.parse(readFileSync(join(dataDir(), 'problem-texts.json'), 'utf8')) as ProblemTexts,
  ) {
    this.titles = texts.titles;
    this.texts = texts.texts.map((t) => ({ pattern: new RegExp(t.en, 'u'), fr: t.fr }));
  }

  /** The French title of `status`, or `fallback` (its English title) when English was asked or none is known. */
  title(status: number, language: Language, fallback: string): string {
    return language === 'fr' ? (this.titles[String(status)] ?? fallback) : fallback;
  }

  /** `text` in `language`, or `undefined` when French was asked and no pattern knows it. */
  text(text: string, language: Language): string | undefined {
    if (language === 'en') return text;
    const known = this.texts.find((t) => t.pattern.test(text));
    return known === undefined ? undefined : text.replace(known.pattern, known.fr);
  }
}
