import { isJsonObject, resolvePointer, type JsonObject, type JsonValue } from './json';
import { documentOperations } from './openapi-access';
import { loadOpenApiDocument } from './openapi-document';
import { OpenApiValidator } from './openapi-validator';

const document = loadOpenApiDocument();
const validator = new OpenApiValidator(document);
const token = (name: string): string => name.replace(/~/g, '~0').replace(/\//g, '~1');

/** One media type of a request or response body, with its schema's pointer and its examples. */
interface Body {
  where: string;
  mediaType: string;
  schemaPointer: string;
  examples: [string, JsonValue][];
}

/** A local `$ref` (`#/components/...`) followed to its target and pointer; anything else as is. */
function follow(pointer: string): { pointer: string; node: JsonValue | undefined } {
  const node = resolvePointer(document, pointer);
  if (isJsonObject(node) && typeof node.$ref === 'string' && node.$ref.startsWith('#/components/')) {
    return follow(node.$ref.slice(1));
  }
  return { pointer, node };
}

function bodiesOf(where: string, pointer: string): Body[] {
  const { pointer: at, node } = follow(pointer);
  if (!isJsonObject(node) || !isJsonObject(node.content)) return [];
  return Object.entries(node.content).map(([mediaType, media]) => {
    const m = isJsonObject(media) ? media : {};
    const named = isJsonObject(m.examples) ? Object.entries(m.examples) : [];
    const examples: [string, JsonValue][] = named.map(([name]) => {
      const target = follow(`${at}/content/${token(mediaType)}/examples/${token(name)}`).node;
      return [name, isJsonObject(target) && 'value' in target ? target.value : null];
    });
    if ('example' in m) examples.push(['example', m.example]);
    return { where, mediaType, schemaPointer: `${at}/content/${token(mediaType)}/schema`, examples };
  });
}

/** Every request and response body of every operation (the webhook the gateway sends included). */
const bodies: Body[] = documentOperations(document).flatMap(({ method, path, pointer, operation }) => {
  const name = `${method} ${path}`;
  const responses = isJsonObject(operation.responses) ? Object.keys(operation.responses) : [];
  return [
    ...bodiesOf(`${name} request`, `${pointer}/requestBody`),
    ...responses.flatMap((status) => bodiesOf(`${name} ${status}`, `${pointer}/responses/${status}`)),
  ];
});

/** NDJSON whose schema is not a string describes one line: each line is checked. */
const values = (body: Body, value: JsonValue): JsonValue[] => {
  const schema = follow(body.schemaPointer).node;
  const isString = isJsonObject(schema) && schema.type === 'string';
  if (body.mediaType !== 'application/x-ndjson' || isString || typeof value !== 'string') return [value];
  return value
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as JsonValue);
};

describe('examples of openapi.yaml', () => {
  it('covers many bodies', () => expect(bodies.length).toBeGreaterThan(60));

  it('gives every request and response body at least one example', () => {
    expect(bodies.filter((b) => b.examples.length === 0).map((b) => `${b.where} ${b.mediaType}`)).toEqual([]);
  });

  it('has every example valid against its schema', () => {
    const invalid = bodies.flatMap((body) =>
      body.examples.flatMap(([name, value]) =>
        values(body, value).flatMap((v) =>
          validator
            .validate(body.schemaPointer, v)
            .map((e) => `${body.where} ${body.mediaType} ${name}: ${e.pointer} ${e.message}`),
        ),
      ),
    );
    expect(invalid).toEqual([]);
  });

  it('gives the bulk endpoint an NDJSON example whose lines are OW case records', () => {
    const bulk = bodies.find((b) => b.where === 'POST /v1/ow/case-records:batch request');
    const ndjson = bulk && bodies.find((b) => b.where === bulk.where && b.mediaType === 'application/x-ndjson');
    const lines = ndjson?.examples.flatMap(([, value]) => (typeof value === 'string' ? value.split('\n') : []));
    const records = (lines ?? []).filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as JsonObject);
    expect(records.length).toBeGreaterThan(1);
    for (const record of records) expect(validator.validate('/components/schemas/OwCaseRecord', record)).toEqual([]);
  });

  it('gives the ODSP bulk endpoint an NDJSON example whose lines are ODSP employment records', () => {
    const where = 'POST /v1/odsp/employment-records:batch request';
    const ndjson = bodies.find((b) => b.where === where && b.mediaType === 'application/x-ndjson');
    const lines = ndjson?.examples.flatMap(([, value]) => (typeof value === 'string' ? value.split('\n') : []));
    const records = (lines ?? []).filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as JsonObject);
    expect(records.length).toBeGreaterThan(1);
    for (const record of records)
      expect(validator.validate('/components/schemas/OdspEmploymentRecord', record)).toEqual([]);
  });

  it('catches an example that does not match its schema', () => {
    const pointer = '/components/schemas/ReferralCancel';
    expect(validator.validate(pointer, { reason: 'moved to Timmins' })).toEqual([]);
    expect(validator.validate(pointer, { reason: '' }).map((e) => e.pointer)).toEqual(['/reason']);
  });
});
