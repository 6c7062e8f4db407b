import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { JsonValue } from './json';
import type { OpenApiDocument } from './openapi-document';
import { toFieldErrors, type FieldError } from './schema-registry';

/** Any URI will do: the document is registered under it so that its `#/...` references resolve. */
const DOCUMENT_ID = 'urn:passerelle:openapi';

/**
 * Validates values against schemas found anywhere in the bundled OpenAPI document (an operation's
 * request body, a component...), as a client reading only the document would: the schemas
 * written inline in `openapi.yaml` (operation-specific `allOf`, `oneOf`) included, which the
 * schema registry does not hold. Not strict: OpenAPI keywords (`example`, `x-...`) sit in schemas.
 */
export class OpenApiValidator {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(document: OpenApiDocument) {
    addFormats(this.ajv);
    // The document is no JSON Schema as a whole: register it unchecked, compile only what is asked.
    this.ajv.addSchema({ ...document, $id: DOCUMENT_ID }, undefined, undefined, false);
  }

  /** The errors of `value` against the schema at `pointer` (`/paths/~1v1~1referrals/post/...`). */
  validate(pointer: string, value: JsonValue): FieldError[] {
    let validate = this.validators.get(pointer);
    if (validate === undefined) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}#${encodeURI(pointer)}` });
      this.validators.set(pointer, validate);
    }
    if (validate(value)) return [];
    const errors = toFieldErrors(validate.errors ?? []);
    // Only wrapper keywords failed (a `oneOf` matching twice): say so rather than nothing.
    return errors.length > 0
      ? errors
      : [{ pointer: '', code: 'invalid', message: this.ajv.errorsText(validate.errors) }];
  }
}
