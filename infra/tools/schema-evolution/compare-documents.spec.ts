import type { JsonObject } from '@passerelle/contracts';
import { compareContracts } from './compare-contracts';
import { contractTree } from './contract-tree';

// The evolution check on small in-memory OpenAPI and AsyncAPI documents.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test documents, edited tersely
type Editable = any;
type Change = (document: Editable) => void;

const THING = 'canonical/thing.json';
const THING_V1 = 'https://schemas.passerelle.ontario.ca/v1/canonical/thing.json';
const thingSchema = (major = 1): JsonObject => ({
  $id: `https://schemas.passerelle.ontario.ca/v${String(major)}/${THING}`,
  type: 'object',
  properties: { id: { type: 'string' } },
});

const openapi = (): Editable => ({
  openapi: '3.1.0',
  info: { title: 'API', version: '1.0.0' },
  paths: {
    '/v1/things': {
      get: {
        parameters: [{ name: 'status', in: 'query', schema: { type: 'string', enum: ['open', 'closed'] } }],
        responses: {
          '200': { description: 'ok', content: { 'application/json': { schema: { $ref: './canonical/thing.json' } } } },
          '400': { $ref: '#/components/responses/Problem' },
        },
      },
      post: {
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/NewThing' } } } },
        responses: { '201': { description: 'created' }, '400': { $ref: '#/components/responses/Problem' } },
      },
    },
  },
  components: {
    schemas: { NewThing: { type: 'object', properties: { name: { type: 'string' } } } },
    responses: {
      Problem: { description: 'problem', content: { 'application/problem+json': { schema: { type: 'object' } } } },
    },
  },
});

const asyncapi = (): Editable => ({
  asyncapi: '3.0.0',
  info: { title: 'Events', version: '1.0.0' },
  channels: {
    things: { address: 'things.v1', messages: { thingCreated: { $ref: '#/components/messages/ThingCreated' } } },
  },
  operations: {
    sendThings: {
      action: 'send',
      channel: { $ref: '#/channels/things' },
      messages: [{ $ref: '#/channels/things/messages/thingCreated' }],
    },
  },
  components: {
    messages: {
      ThingCreated: {
        headers: {
          allOf: [
            { $ref: './common/headers.json' },
            { type: 'object', properties: { ce_type: { const: 'thing.created' }, ce_dataschema: { const: THING_V1 } } },
          ],
        },
        payload: {
          schemaFormat: 'application/schema+json;version=draft-2020-12',
          schema: { $ref: './canonical/thing.json' },
        },
      },
    },
  },
});

const HEADERS = {
  $id: 'https://schemas.passerelle.ontario.ca/v1/common/headers.json',
  type: 'object',
  required: ['ce_type'],
  properties: { ce_type: { type: 'string' }, ce_dataschema: { type: 'string', format: 'uri' } },
};

/** The breaking changes (kind, where) from the documents above to the documents changed by `change`. */
function check(file: 'openapi.yaml' | 'asyncapi.yaml', change: Change, current: Record<string, JsonObject> = {}) {
  const files = (document: JsonObject) => ({
    [file]: document,
    [THING]: thingSchema(),
    'common/headers.json': HEADERS,
  });
  const before = file === 'openapi.yaml' ? openapi() : asyncapi();
  const after = file === 'openapi.yaml' ? openapi() : asyncapi();
  change(after);
  const report = compareContracts(contractTree(files(before)), contractTree({ ...files(after), ...current }));
  return report.breaking.map((c) => [c.kind, c.at.replace(`${file}#`, '')]);
}

describe('the schema evolution check of openapi.yaml', () => {
  const openapiCheck = (change: Change, current?: Record<string, JsonObject>) => check('openapi.yaml', change, current);

  it.each<[string, Change, string, string]>([
    ['removes a path', (d) => delete d.paths['/v1/things'], 'removed-path', '/paths/~1v1~1things'],
    ['removes an operation', (d) => delete d.paths['/v1/things'].post, 'removed-operation', '/paths/~1v1~1things/post'],
    [
      'removes a response',
      (d) => delete d.paths['/v1/things'].get.responses['200'],
      'removed-response',
      '/paths/~1v1~1things/get/responses/200',
    ],
    [
      'removes a parameter',
      (d) => (d.paths['/v1/things'].get.parameters = []),
      'removed-parameter',
      '/paths/~1v1~1things/get/parameters/query:status',
    ],
    [
      'makes a parameter required',
      (d) => (d.paths['/v1/things'].get.parameters[0].required = true),
      'new-required',
      '/paths/~1v1~1things/get/parameters/query:status',
    ],
    [
      'removes a value of a parameter',
      (d) => d.paths['/v1/things'].get.parameters[0].schema.enum.pop(),
      'removed-enum-value',
      '/paths/~1v1~1things/get/parameters/query:status/schema/enum',
    ],
    [
      'makes the request body required',
      (d) => (d.paths['/v1/things'].post.requestBody.required = true),
      'new-required',
      '/paths/~1v1~1things/post/requestBody',
    ],
    [
      'removes a media type of a shared response',
      (d) => (d.components.responses.Problem.content = {}),
      'removed-media-type',
      '/paths/~1v1~1things/get/responses/400/content/application~1problem+json',
    ],
    [
      'removes a field of a component schema',
      (d) => delete d.components.schemas.NewThing.properties.name,
      'removed-property',
      '/components/schemas/NewThing/properties/name',
    ],
    [
      'removes a component schema',
      (d) => delete d.components.schemas.NewThing,
      'removed-definition',
      '/components/schemas/NewThing',
    ],
  ])('fails a change that %s', (_name, change, kind, pointer) => {
    expect(openapiCheck(change)).toContainEqual([kind, pointer]);
  });

  it.each<[string, Change]>([
    ['adds a path', (d) => (d.paths['/v1/others'] = { get: { responses: { '200': { description: 'ok' } } } })],
    ['adds an operation', (d) => (d.paths['/v1/things'].delete = { responses: { '204': { description: 'gone' } } })],
    ['adds an optional parameter', (d) => d.paths['/v1/things'].get.parameters.push({ name: 'q', in: 'query' })],
    ['adds a response', (d) => (d.paths['/v1/things'].post.responses['409'] = { description: 'conflict' })],
    [
      'adds an optional field to a request',
      (d) => (d.components.schemas.NewThing.properties.note = { type: 'string' }),
    ],
  ])('passes a change that %s', (_name, change) => {
    expect(openapiCheck(change)).toEqual([]);
  });

  it('passes a removed operation when info.version names a new major', () => {
    expect(openapiCheck((d) => ((d.info.version = '2.0.0'), delete d.paths['/v1/things']))).toEqual([]);
  });

  it('fails a reference to a schema file at a new major version', () => {
    expect(openapiCheck(() => undefined, { [THING]: thingSchema(2) })).toEqual([
      ['changed-reference', '/paths/~1v1~1things/get/responses/200/content/application~1json/schema'],
    ]);
  });
});

describe('the schema evolution check of asyncapi.yaml', () => {
  const asyncapiCheck = (change: Change) => check('asyncapi.yaml', change);
  const message = (d: Editable): Editable => d.components.messages.ThingCreated;

  it.each<[string, Change, string, string]>([
    ['removes a channel', (d) => delete d.channels.things, 'removed-channel', '/channels/things'],
    ['renames a topic', (d) => (d.channels.things.address = 'things.v2'), 'removed-channel', '/channels/things'],
    [
      'removes a message',
      (d) => (d.channels.things.messages = {}),
      'removed-message',
      '/channels/things/messages/thingCreated',
    ],
    ['removes an operation', (d) => delete d.operations.sendThings, 'removed-operation', '/operations/sendThings'],
    [
      'turns a send into a receive',
      (d) => (d.operations.sendThings.action = 'receive'),
      'removed-operation',
      '/operations/sendThings',
    ],
    [
      'removes a component message',
      (d) => (d.components.messages = {}),
      'removed-message',
      '/components/messages/ThingCreated',
    ],
    [
      'pins another ce_dataschema',
      (d) => (message(d).headers.allOf[1].properties.ce_dataschema.const = THING_V1.replace('/v1/', '/v2/')),
      'removed-enum-value',
      '/channels/things/messages/thingCreated/headers/properties/ce_dataschema/const',
    ],
    [
      'requires another header',
      (d) => (message(d).headers.allOf[1].required = ['ce_dataschema']),
      'new-required',
      '/channels/things/messages/thingCreated/headers/required',
    ],
  ])('fails a change that %s', (_name, change, kind, pointer) => {
    expect(asyncapiCheck(change)).toContainEqual([kind, pointer]);
  });

  it.each<[string, Change]>([
    ['adds a channel', (d) => (d.channels.others = { address: 'others.v1', messages: {} })],
    [
      'adds a message to a channel',
      (d) => (d.channels.things.messages.other = { $ref: '#/components/messages/ThingCreated' }),
    ],
    [
      'adds an operation',
      (d) => (d.operations.receiveThings = { action: 'receive', channel: { $ref: '#/channels/things' } }),
    ],
  ])('passes a change that %s', (_name, change) => {
    expect(asyncapiCheck(change)).toEqual([]);
  });

  it('reports a change of a payload schema in the schema file', () => {
    const released = contractTree({
      'asyncapi.yaml': asyncapi(),
      [THING]: thingSchema(),
      'common/headers.json': HEADERS,
    });
    const current = contractTree({
      'asyncapi.yaml': asyncapi(),
      [THING]: { ...thingSchema(), properties: {} },
      'common/headers.json': HEADERS,
    });
    expect(compareContracts(released, current).breaking.map((c) => c.at)).toEqual([`${THING}#/properties/id`]);
  });
});
