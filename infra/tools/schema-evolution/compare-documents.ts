import { isJsonObject, type JsonObject, type JsonValue } from '@passerelle/contracts';
import { child, type BreakingChange } from './breaking-change';
import type { ContractTree } from './contract-tree';
import type { SchemaComparer } from './compare-schemas';
import { followRefs } from './merge-schemas';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** What comparing a document needs: both trees and the schema comparer over them. */
export interface DocumentComparison {
  readonly released: ContractTree;
  readonly current: ContractTree;
  readonly schemas: SchemaComparer;
}

const objectOf = (value: JsonValue | undefined): JsonObject => (isJsonObject(value) ? value : {});

/** An OpenAPI / AsyncAPI object (not a schema) with its `$ref`s followed, or `undefined`. */
function objectIn(tree: ContractTree, value: JsonValue | undefined): JsonObject | undefined {
  if (value === undefined) return undefined;
  const followed = followRefs(value, tree);
  return isJsonObject(followed) ? followed : undefined;
}

/**
 * openapi.yaml: every path and operation of the release is still there; no parameter is
 * removed and none becomes required; a request body does not become required; no response or
 * media type is removed; request, response, parameter and component schemas pass the schema
 * comparison.
 */
export function compareOpenApi(ctx: DocumentComparison, path: string): BreakingChange[] {
  const old = objectOf(ctx.released.get(path));
  const now = objectOf(ctx.current.get(path));
  const at = `${path}#`;
  const changes: BreakingChange[] = [];
  const nowPaths = objectOf(now.paths);
  for (const [route, value] of Object.entries(objectOf(old.paths))) {
    const routeAt = child(at, 'paths', route);
    const oldItem = objectIn(ctx.released, value) ?? {};
    const nowItem = objectIn(ctx.current, nowPaths[route]);
    if (nowItem === undefined) {
      changes.push({ kind: 'removed-path', at: routeAt, message: `path ${route} removed` });
      continue;
    }
    for (const method of METHODS) {
      if (!isJsonObject(oldItem[method])) continue;
      const name = `${method.toUpperCase()} ${route}`;
      if (!isJsonObject(nowItem[method])) {
        changes.push({ kind: 'removed-operation', at: child(routeAt, method), message: `${name} removed` });
        continue;
      }
      const operation = { at: child(routeAt, method), name };
      changes.push(...compareOperation(ctx, operation, [oldItem, oldItem[method]], [nowItem, nowItem[method]]));
    }
  }
  changes.push(...compareComponentSchemas(ctx, old, now, at));
  return changes;
}

type PathItemAndOperation = readonly [JsonObject, JsonObject];

function compareOperation(
  ctx: DocumentComparison,
  operation: { at: string; name: string },
  [oldItem, oldOp]: PathItemAndOperation,
  [nowItem, nowOp]: PathItemAndOperation,
): BreakingChange[] {
  const { at, name } = operation;
  const changes: BreakingChange[] = [];
  const oldParameters = parameters(ctx.released, oldItem, oldOp);
  const nowParameters = parameters(ctx.current, nowItem, nowOp);
  for (const [key, parameter] of oldParameters) {
    const where = child(at, 'parameters', key);
    const now = nowParameters.get(key);
    if (now === undefined) {
      changes.push({ kind: 'removed-parameter', at: where, message: `${name}: parameter ${key} removed` });
    } else changes.push(...ctx.schemas.compare(parameter.schema, now.schema, child(where, 'schema')));
  }
  for (const [key, parameter] of nowParameters) {
    if (parameter.required === true && oldParameters.get(key)?.required !== true) {
      const where = child(at, 'parameters', key);
      changes.push({ kind: 'new-required', at: where, message: `${name}: parameter ${key} is now required` });
    }
  }
  const oldBody = objectIn(ctx.released, oldOp.requestBody);
  const nowBody = objectIn(ctx.current, nowOp.requestBody);
  const bodyAt = child(at, 'requestBody');
  if (nowBody?.required === true && oldBody?.required !== true) {
    changes.push({ kind: 'new-required', at: bodyAt, message: `${name}: the request body is now required` });
  }
  if (oldBody !== undefined && nowBody === undefined) {
    changes.push({ kind: 'removed-media-type', at: bodyAt, message: `${name}: the request body was removed` });
  } else if (oldBody !== undefined && nowBody !== undefined) {
    changes.push(...compareContent(ctx, oldBody, nowBody, bodyAt, `${name} request`));
  }
  const nowResponses = objectOf(nowOp.responses);
  for (const [status, response] of Object.entries(objectOf(oldOp.responses))) {
    const where = child(at, 'responses', status);
    const now = objectIn(ctx.current, nowResponses[status]);
    if (now === undefined) {
      changes.push({ kind: 'removed-response', at: where, message: `${name}: response ${status} removed` });
    } else {
      const old = objectIn(ctx.released, response) ?? {};
      changes.push(...compareContent(ctx, old, now, where, `${name} response ${status}`));
    }
  }
  return changes;
}

/** Parameters of an operation (its path item's, overridden by its own) by `in:name`. */
function parameters(tree: ContractTree, item: JsonObject, operation: JsonObject): Map<string, JsonObject> {
  const found = new Map<string, JsonObject>();
  for (const list of [item.parameters, operation.parameters]) {
    for (const value of Array.isArray(list) ? list : []) {
      const parameter = objectIn(tree, value);
      if (parameter === undefined || typeof parameter.name !== 'string' || typeof parameter.in !== 'string') continue;
      const name = parameter.in === 'header' ? parameter.name.toLowerCase() : parameter.name;
      found.set(`${parameter.in}:${name}`, parameter);
    }
  }
  return found;
}

function compareContent(
  ctx: DocumentComparison,
  old: JsonObject,
  now: JsonObject,
  at: string,
  label: string,
): BreakingChange[] {
  const changes: BreakingChange[] = [];
  const nowContent = objectOf(now.content);
  for (const [mediaType, media] of Object.entries(objectOf(old.content))) {
    const where = child(at, 'content', mediaType);
    if (!isJsonObject(nowContent[mediaType])) {
      changes.push({ kind: 'removed-media-type', at: where, message: `${label}: media type ${mediaType} removed` });
    } else {
      changes.push(
        ...ctx.schemas.compare(objectOf(media).schema, nowContent[mediaType].schema, child(where, 'schema')),
      );
    }
  }
  return changes;
}

function compareComponentSchemas(
  ctx: DocumentComparison,
  old: JsonObject,
  now: JsonObject,
  at: string,
): BreakingChange[] {
  const changes: BreakingChange[] = [];
  const nowSchemas = objectOf(objectOf(now.components).schemas);
  for (const [name, schema] of Object.entries(objectOf(objectOf(old.components).schemas))) {
    const where = child(at, 'components', 'schemas', name);
    if (!(name in nowSchemas)) {
      changes.push({ kind: 'removed-definition', at: where, message: `component schema ${name} removed` });
    } else changes.push(...ctx.schemas.compare(schema, nowSchemas[name], where));
  }
  return changes;
}

/**
 * asyncapi.yaml: every channel keeps its address and messages, every operation its action,
 * channel and messages, no component message is removed, and message headers and payloads pass
 * the schema comparison (a pinned `ce_type` or `ce_dataschema` that changes is a removed value).
 */
export function compareAsyncApi(ctx: DocumentComparison, path: string): BreakingChange[] {
  const old = objectOf(ctx.released.get(path));
  const now = objectOf(ctx.current.get(path));
  const at = `${path}#`;
  const changes: BreakingChange[] = [];
  const nowChannels = objectOf(now.channels);
  for (const [id, value] of Object.entries(objectOf(old.channels))) {
    const where = child(at, 'channels', id);
    const channel = objectIn(ctx.released, value) ?? {};
    const address = typeof channel.address === 'string' ? channel.address : id;
    const current =
      objectIn(ctx.current, nowChannels[id]) ??
      Object.values(nowChannels).find((c) => isJsonObject(c) && c.address === channel.address);
    if (!isJsonObject(current)) {
      changes.push({ kind: 'removed-channel', at: where, message: `channel ${address} removed` });
      continue;
    }
    if (current.address !== channel.address) {
      const message = `channel ${id} moved from ${address} to ${show(current.address)}`;
      changes.push({ kind: 'removed-channel', at: where, message });
    }
    const nowMessages = objectOf(current.messages);
    for (const [messageId, message] of Object.entries(objectOf(channel.messages))) {
      const messageAt = child(where, 'messages', messageId);
      const nowMessage = objectIn(ctx.current, nowMessages[messageId]);
      if (nowMessage === undefined) {
        changes.push({
          kind: 'removed-message',
          at: messageAt,
          message: `message ${messageId} removed from ${address}`,
        });
      } else changes.push(...compareMessage(ctx, objectIn(ctx.released, message) ?? {}, nowMessage, messageAt));
    }
  }
  changes.push(...compareAsyncApiOperations(old, now, at));
  const nowMessages = objectOf(objectOf(now.components).messages);
  for (const name of Object.keys(objectOf(objectOf(old.components).messages))) {
    if (!(name in nowMessages)) {
      const where = child(at, 'components', 'messages', name);
      changes.push({ kind: 'removed-message', at: where, message: `component message ${name} removed` });
    }
  }
  changes.push(...compareComponentSchemas(ctx, old, now, at));
  return changes;
}

function compareMessage(ctx: DocumentComparison, old: JsonObject, now: JsonObject, at: string): BreakingChange[] {
  return [
    ...ctx.schemas.compare(old.headers, now.headers, child(at, 'headers')),
    ...ctx.schemas.compare(payloadSchema(old.payload), payloadSchema(now.payload), child(at, 'payload')),
  ];
}

/** A message payload: an AsyncAPI multi-format schema object (`schemaFormat` + `schema`) or a schema. */
function payloadSchema(payload: JsonValue | undefined): JsonValue | undefined {
  return isJsonObject(payload) && 'schemaFormat' in payload ? payload.schema : payload;
}

function compareAsyncApiOperations(old: JsonObject, now: JsonObject, at: string): BreakingChange[] {
  const changes: BreakingChange[] = [];
  const nowOperations = objectOf(now.operations);
  for (const [id, value] of Object.entries(objectOf(old.operations))) {
    const where = child(at, 'operations', id);
    const operation = objectOf(value);
    const current = nowOperations[id];
    if (!isJsonObject(current)) {
      changes.push({ kind: 'removed-operation', at: where, message: `operation ${id} removed` });
      continue;
    }
    if (current.action !== operation.action) {
      const message = `operation ${id}: action ${show(operation.action)} became ${show(current.action)}`;
      changes.push({ kind: 'removed-operation', at: where, message });
    }
    const channel = objectOf(operation.channel).$ref;
    if (channel !== objectOf(current.channel).$ref) {
      const message = `operation ${id} moved from ${show(channel)} to ${show(objectOf(current.channel).$ref)}`;
      changes.push({ kind: 'removed-operation', at: where, message });
    }
    const nowRefs = new Set(messageRefs(current));
    for (const ref of messageRefs(operation)) {
      if (!nowRefs.has(ref)) {
        changes.push({ kind: 'removed-message', at: where, message: `operation ${id} no longer carries ${ref}` });
      }
    }
  }
  return changes;
}

function messageRefs(operation: JsonObject): string[] {
  const list = Array.isArray(operation.messages) ? operation.messages : [];
  return list.map((m) => objectOf(m).$ref).filter((ref): ref is string => typeof ref === 'string');
}

function show(value: JsonValue | undefined): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
