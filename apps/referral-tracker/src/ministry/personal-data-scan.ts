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
      for (const detector of detectors) if (detector.test(text)) report(pointer, detector.kind);
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
  test(text: string): boolean;
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

const POSTAL_CODE = new RegExp(`${B}[ABCEGHJ-NPRSTVXY]\\d[ABCEGHJ-NPRSTV-Z][ \\t-]?\\d[ABCEGHJ-NPRSTV-Z]\\d${E}`, 'iu');
const NANP_PHONE = new RegExp(`${B}(?:\\+?1[ .-]?)?(?:\\([2-9]\\d{2}\\)|[2-9]\\d{2})[ .-]?[2-9]\\d{2}[ .-]?\\d{4}${E}`, 'u');
const E164_PHONE = new RegExp(`(?<![\\p{L}\\p{N}+])\\+[1-9]\\d{7,14}${E}`, 'u');
const EMAIL = /[\p{L}\p{N}.!#$%&'*+/=?^_`{|}~-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/u;
// SINs start with 1-7 (residents) or 9 (temporary residents); 0 and 8 are not issued to people.
const SIN = new RegExp(`${B}([1-79]\\d{2})([ -]?)(\\d{3})\\2(\\d{3})${E}`, 'gu');

const STATIC_DETECTORS: readonly Detector[] = [
  { kind: 'postal-code', test: (text) => POSTAL_CODE.test(text) },
  { kind: 'phone', test: (text) => NANP_PHONE.test(text) || E164_PHONE.test(text) },
  { kind: 'email', test: (text) => EMAIL.test(text) },
  { kind: 'sin', test: (text) => [...text.matchAll(SIN)].some((m) => luhn(`${m[1]}${m[3]}${m[4]}`)) },
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
    detectors.push({ kind: 'birth-date', test: (text) => datesIn(text).some((date) => birthDates.has(date)) });
  }

  const idPatterns = (known.ids ?? [])
    .map((id) => id.trim())
    .filter((id) => id !== '')
    .flatMap((id) => (UUID.test(id) ? [id, id.replace(/-/g, '')] : [id]))
    .map((id) => new RegExp(`${B}${escapeRegExp(id)}${E}`, 'iu'));
  if (idPatterns.length > 0) detectors.push({ kind: 'id', test: (text) => idPatterns.some((p) => p.test(text)) });
  return detectors;
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
