import { IngestErrorCode, type LineParse } from './line-result';

/** One NDJSON line -> its JSON value; a line that is not JSON is rejected at the root pointer. */
export function parseNdjsonLine(text: string): LineParse {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return {
      ok: false,
      errors: [{ pointer: '', code: IngestErrorCode.json, message: `is not valid JSON: ${(error as Error).message}` }],
    };
  }
}
