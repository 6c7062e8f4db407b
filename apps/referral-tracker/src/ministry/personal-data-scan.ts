/**
 * Every string/number leaf of `value` that looks like personal data: a name from `knownNames`, a
 * date that equals a known birth date, a postal code (A1A 1A1 with or without space), a phone
 * number, an email, a UUID equal to a known client/referral id, or a known source id. Returns
 * JSON pointers with what was found. Used by e2e tests to prove ministry events carry none.
 *
 * Kinds reported (one entry per pointer and kind, in document order):
 * - `name`: a word of a known name (2 letters or more), or the whole name run together; accents,
 *   case and punctuation ignored (`Côté-Tremblay` is found in `COTE TREMBLAY` and `cotetremblay`);
 * - `birth-date`: a known birth date written `YYYY-MM-DD` (alone or inside a date-time),
 *   `YYYYMMDD`, `YYYY/MM/DD`, `DD/MM/YYYY` or `MM/DD/YYYY`;
 * - `postal-code`: a Canadian postal code, any case, with or without its middle space (a forward
 *   sortation area alone, `M9V`, is not one);
 * - `phone`: a North American number (`+14165550134`, `416-555-0134`, `(416) 555-0134`, ...) or
 *   another E.164 number (`+33123456789`);
 * - `email`: an email address;
 * - `sin`: a Social Insurance Number (9 digits starting 1-7 or 9, alone or grouped 3-3-3, passing
 *   its Luhn check);
 * - `id`: a known id (canonical UUID, source id), any case, also a UUID without its dashes;
 * - `personal-field`: a member named like a personal field (`personal`, `birthDate`, `postalCode`,
 *   `givenName`, `email`, `clientId`, ...), whatever its value.
 *
 * Matches are whole tokens: a pattern inside a longer run of letters and digits (a 64-hex-digit
 * pseudonym, a UUID group) does not count, so pseudonyms and report ids are never reported.
 */
export function findPersonalData(
  value: unknown,
  known: { names?: string[]; birthDates?: string[]; ids?: string[] },
): Array<{ pointer: string; kind: string }> {
  const detectors = detectorsFor(known);
  const findings: Array<{ pointer: string; kind: string }> = [];
  const seen = new Set<string>();
  const report = (pointer: string, kind: string) => {
    const key = `${pointer}\u0000${kind}`;
    if (seen.has(key)) return;
    seen.add(key);
    findings.push({ pointer, kind });
  };
  const onPath = new Set<object>();

  const visit = (node: unknown, pointer: string): void => {
    if (typeof node === 'string' || (typeof node === 'number' && Number.isFinite(node)) || typeof node === 'bigint') {
      const text = String(node);
      const ascii = ASCII.test(text);
      for (const detector of detectors) if (detector.test(text, ascii)) report(pointer, detector.kind);
      return;
    }
    if (node === null || typeof node !== 'object' || onPath.has(node)) return;
    onPath.add(node);
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${pointer}/${i}`));
    } else {
      for (const [key, child] of Object.entries(node)) {
        const childPointer = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (PERSONAL_FIELDS.has(key)) report(childPointer, 'personal-field');
        visit(child, childPointer);
      }
    }
    onPath.delete(node);
  };
  visit(value, '');
  return findings;
}

interface Detector {
  readonly kind: string;
  /** `ascii`: the text is ASCII only (the fast paths below are exact for it). */
  test(text: string, ascii: boolean): boolean;
}

/** Member names of `canonical/personal.json`, `contact.json`, `person-name.json` and the canonical ids. */
const PERSONAL_FIELDS = new Set([
  'personal',
  'name',
  'givenName',
  'middleName',
  'familyName',
  'preferredName',
  'birthDate',
  'dateOfBirth',
  'contact',
  'phone',
  'email',
  'address',
  'postalCode',
  'links',
  'notes',
  'memberId',
  'caseId',
  'sin',
  'clientId',
  'referralId',
  'sourceReferralId',
]);

// A token boundary: not next to a letter or digit (so patterns inside hex strings do not count).
const B = '(?<![\\p{L}\\p{N}])';
const E = '(?![\\p{L}\\p{N}])';

/**
 * Each pattern twice: with Unicode letter/digit classes, and with their ASCII part only for text
 * that is ASCII only, where both match exactly the same (ASCII case folding included) and the
 * second runs many times faster (the tracker scans every ministry report it emits).
 */
const twice = (source: (letterOrDigit: string) => string, flags: string): { unicode: RegExp; ascii: RegExp } => ({
  unicode: new RegExp(source('\\p{L}\\p{N}'), `${flags}u`),
  ascii: new RegExp(source('A-Za-z0-9'), flags),
});
const b = (ld: string) => `(?<![${ld}])`;
const e = (ld: string) => `(?![${ld}])`;
const POSTAL_CODE = twice(
  (ld) => `${b(ld)}[ABCEGHJ-NPRSTVXY]\\d[ABCEGHJ-NPRSTV-Z][ \\t-]?\\d[ABCEGHJ-NPRSTV-Z]\\d${e(ld)}`,
  'i',
);
const NANP_PHONE = twice(
  (ld) => `${b(ld)}(?:\\+?1[ .-]?)?(?:\\([2-9]\\d{2}\\)|[2-9]\\d{2})[ .-]?[2-9]\\d{2}[ .-]?\\d{4}${e(ld)}`,
  '',
);
const E164_PHONE = twice((ld) => `(?<![${ld}+])\\+[1-9]\\d{7,14}${e(ld)}`, '');
const EMAIL = twice(
  (ld) =>
    `[${ld}.!#$%&'*+/=?^_\`{|}~-]+@[${ld}-]+(?:\\.[${ld}-]+)*\\.${ld === 'A-Za-z0-9' ? '[A-Za-z]' : '\\p{L}'}{2,}`,
  '',
);
// SINs start with 1-7 (residents) or 9 (temporary residents); 0 and 8 are not issued to people.
const SIN = twice((ld) => `${b(ld)}([1-79]\\d{2})([ -]?)(\\d{3})\\2(\\d{3})${e(ld)}`, 'g');

const pick = (pattern: { unicode: RegExp; ascii: RegExp }, ascii: boolean): RegExp =>
  ascii ? pattern.ascii : pattern.unicode;

const STATIC_DETECTORS: readonly Detector[] = [
  { kind: 'postal-code', test: (text, ascii) => pick(POSTAL_CODE, ascii).test(text) },
  // An E.164 number has its '+', an email its '@': no need to run the pattern without one.
  {
    kind: 'phone',
    test: (text, ascii) =>
      pick(NANP_PHONE, ascii).test(text) || (text.includes('+') && pick(E164_PHONE, ascii).test(text)),
  },
  { kind: 'email', test: (text, ascii) => text.includes('@') && pick(EMAIL, ascii).test(text) },
  {
    kind: 'sin',
    test: (text, ascii) => [...text.matchAll(pick(SIN, ascii))].some((m) => luhn(`${m[1]}${m[3]}${m[4]}`)),
  },
];

function detectorsFor(known: { names?: string[]; birthDates?: string[]; ids?: string[] }): Detector[] {
  const detectors = [...STATIC_DETECTORS];

  const nameTokens = new Set<string>();
  for (const name of known.names ?? []) {
    const words = wordsOf(name);
    for (const word of words) if (word.length >= 2) nameTokens.add(word);
    const whole = words.join('');
    if (whole.length >= 2) nameTokens.add(whole);
  }
  if (nameTokens.size > 0) {
    detectors.unshift({
      kind: 'name',
      test: (text) => {
        const words = wordsOf(text);
        return words.some((word) => nameTokens.has(word)) || runsOf(words).some((run) => nameTokens.has(run));
      },
    });
  }

  const birthDates = new Set((known.birthDates ?? []).filter((d) => ISO_DATE.test(d)));
  if (birthDates.size > 0) {
    // Every written form holds the year as four digits in a row: without one, no date can match.
    const years = [...new Set([...birthDates].map((d) => d.slice(0, 4)))];
    detectors.push({
      kind: 'birth-date',
      test: (text) => years.some((year) => text.includes(year)) && datesIn(text).some((date) => birthDates.has(date)),
    });
  }

  const ids = (known.ids ?? [])
    .map((id) => id.trim())
    .filter((id) => id !== '')
    .flatMap((id) => (UUID.test(id) ? [id, id.replace(/-/g, '')] : [id]))
    .map((id) => new KnownId(id));
  if (ids.length > 0) detectors.push({ kind: 'id', test: (text, ascii) => ids.some((id) => id.in(text, ascii)) });
  return detectors;
}

const ASCII = /^\p{ASCII}*$/u;

/**
 * A known id as a whole token, any case. ASCII ids in ASCII text (UUIDs, source ids: the usual
 * case) are searched for without a regular expression: compiling a Unicode one per id costs
 * milliseconds, and the tracker scans every ministry report for its client's ids. ASCII case
 * folding and the letter-or-digit boundary are then exactly what the `iu` pattern would apply.
 */
class KnownId {
  private readonly lower: string;
  private readonly ascii: boolean;
  private pattern?: RegExp;

  constructor(private readonly id: string) {
    this.lower = id.toLowerCase();
    this.ascii = ASCII.test(id);
  }

  in(text: string, asciiText: boolean): boolean {
    if (this.ascii && asciiText) return containsToken(text.toLowerCase(), this.lower);
    this.pattern ??= new RegExp(`${B}${escapeRegExp(this.id)}${E}`, 'iu');
    return this.pattern.test(text);
  }
}

/** Whether `needle` occurs in `text` with no ASCII letter or digit right before or after it. */
function containsToken(text: string, needle: string): boolean {
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
    if (!isAsciiLetterOrDigit(text.charCodeAt(at - 1)) && !isAsciiLetterOrDigit(text.charCodeAt(at + needle.length)))
      return true;
  }
  return false;
}

function isAsciiLetterOrDigit(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** Words of a text, for name matching: accents removed, lower case, split on anything but letters and digits. */
function wordsOf(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '');
}

/** Consecutive words run together (`cote`, `tremblay` -> `cotetremblay`), up to 4 words. */
function runsOf(words: string[]): string[] {
  const runs: string[] = [];
  for (let start = 0; start < words.length; start += 1) {
    let run = words[start];
    for (let end = start + 1; end < Math.min(words.length, start + 4); end += 1) {
      run += words[end];
      runs.push(run);
    }
  }
  return runs;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_FORMS: ReadonlyArray<readonly [RegExp, (m: RegExpMatchArray) => string[]]> = [
  [/(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)/g, (m) => [`${m[1]}-${m[2]}-${m[3]}`]],
  [/(?<!\d)(\d{4})\/(\d{2})\/(\d{2})(?!\d)/g, (m) => [`${m[1]}-${m[2]}-${m[3]}`]],
  [new RegExp(`${B}(\\d{4})(\\d{2})(\\d{2})${E}`, 'gu'), (m) => [`${m[1]}-${m[2]}-${m[3]}`]],
  // Day and month order cannot be told apart: both readings count.
  [/(?<!\d)(\d{2})[/.](\d{2})[/.](\d{4})(?!\d)/g, (m) => [`${m[3]}-${m[2]}-${m[1]}`, `${m[3]}-${m[1]}-${m[2]}`]],
];

/** Every date written in `text`, as `YYYY-MM-DD`. */
function datesIn(text: string): string[] {
  return DATE_FORMS.flatMap(([pattern, read]) => [...text.matchAll(pattern)].flatMap(read));
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
