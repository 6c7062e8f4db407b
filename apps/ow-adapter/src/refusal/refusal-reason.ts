/**
 * Why the adapter refused a record, as the referrer is told it: one code of
 * `schemas/codes/referral-change-reasons.json`, the JSON pointer of the field at fault, and the
 * words the DLQ records. Pure.
 */
import type { RefusalReason } from '@passerelle/lifecycle';
import { TranslationErrorCode } from '@passerelle/translation';
import { CONSENT_NOT_IN_RECORD, REPEATED_ENTRY_ID } from '../mapping/source-record.mapping';

/** The code when no more precise one applies (a reason of a kind added later, a canonical-schema bug). */
export const REFERRAL_REFUSED = 'REFERRAL_REFUSED';

const MAX_MESSAGE = 2000;
const MAX_FIELD = 500;
/** `/pointer: words`, as every mapping reason is written. */
const POINTED = /^(\/[^\s:]*): (.+)$/s;
/** Both wordings of `@passerelle/codes` for a source code with no canonical mapping. */
const UNMAPPED = /has no mapping in code table|has no map for source system/;

/**
 * The refusal of a referral whose record the translator refused with `code` for `reasons`: the
 * first reason names it (the mapping lists the consistency problems in the record's order); the
 * others are in the message, as on the DLQ.
 */
export function refusalReasonOf(code: TranslationErrorCode, reasons: readonly string[]): RefusalReason {
  const [first = code] = reasons;
  const pointed = POINTED.exec(first);
  const field = pointed?.[1];
  const words = pointed?.[2] ?? first;
  const message = clip(
    reasons.length > 1 ? `${first} (and ${reasons.length - 1} more: ${reasons.slice(1).join('; ')})` : first,
  );
  return {
    code: codeOf(code, field, words),
    ...(field !== undefined && field.length <= MAX_FIELD && { field }),
    message: message === '' ? code : message,
  };
}

function codeOf(translationCode: TranslationErrorCode, field: string | undefined, words: string): string {
  if (translationCode !== TranslationErrorCode.MappingRefused) return REFERRAL_REFUSED;
  if (field === '/referralRequest/consentId' && words.includes(CONSENT_NOT_IN_RECORD)) return 'CONSENT_NOT_FOUND';
  if (words.includes(REPEATED_ENTRY_ID)) return 'DUPLICATE_ENTRY_ID';
  if (UNMAPPED.test(words)) return 'UNMAPPED_SOURCE_CODE';
  return REFERRAL_REFUSED;
}

function clip(text: string): string {
  return text.length <= MAX_MESSAGE ? text : `${text.slice(0, MAX_MESSAGE - 1)}…`;
}
