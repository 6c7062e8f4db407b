import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemasDir } from '@passerelle/contracts';

/** Keywords that only bound or require (what HTTP adds to a source record), and texts. */
const HTTP_ONLY = new Set([
  '$id',
  'title',
  'description',
  'required',
  'format',
  'pattern',
  'maxLength',
  'maximum',
  'maxItems',
  'minItems',
]);

/** The schema without what HTTP adds, its relative `$ref`s resolved from `schemas/`. */
function shape(node: unknown, dir: string): unknown {
  if (Array.isArray(node)) return node.map((n) => shape(n, dir));
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key]) => !HTTP_ONLY.has(key))
      .map(([key, value]) => [key, key === '$ref' ? join(dir, value as string) : shape(value, dir)]),
  );
}

const read = (path: string): unknown => JSON.parse(readFileSync(join(schemasDir(), path), 'utf8'));

describe('api/odsp-referral-submission.json', () => {
  it('is the ODSP employment record, member for member, with only bounds and required members added', () => {
    expect(shape(read('api/odsp-referral-submission.json'), 'api')).toEqual(
      shape(read('sources/odsp-employment-record.json'), 'sources'),
    );
  });
});
