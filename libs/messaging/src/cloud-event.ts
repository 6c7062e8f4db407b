import type { IHeaders, Message } from 'kafkajs';
import type { CloudEvent } from '@passerelle/contracts';
import { MessagingError, MessagingErrorCode } from './messaging.error';

// Declared once, in libs/contracts (pure mappings return it); re-exported for the Kafka side.
export type { CloudEvent } from '@passerelle/contracts';

export const CONTENT_TYPE = 'application/json';
const ATTRIBUTES = [
  'specversion',
  'id',
  'source',
  'type',
  'time',
  'subject',
  'dataschema',
  'correlationid',
  'causationid',
  'partitionkey',
] as const;
const REQUIRED = ['id', 'source', 'type'] as const;

/** A CloudEvent as the Kafka record that carries it (binary mode), ready to produce. */
export type EncodedCloudEvent = Message;

/** Kafka record for `event`; the key is the partition key (canonical clientId) when present. */
export function encodeCloudEvent<T>(event: CloudEvent<T>): EncodedCloudEvent {
  const headers: IHeaders = { 'content-type': CONTENT_TYPE };
  for (const attribute of ATTRIBUTES) {
    const value = event[attribute];
    if (value !== undefined) headers[`ce_${attribute}`] = value;
  }
  return {
    key: event.partitionkey ?? event.subject ?? null,
    value: Buffer.from(JSON.stringify(event.data)),
    headers,
  };
}

export interface RawRecord {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: IHeaders;
}

/** Reads a binary-mode record back; anything that is not a valid CloudEvent throws a MessagingError. */
export function decodeCloudEvent<T = unknown>(record: RawRecord): CloudEvent<T> {
  const headers = record.headers ?? {};
  // Each header is decoded from its bytes once, however often it is read below.
  const decoded = new Map<string, string | undefined>();
  const read = (name: string): string | undefined => {
    if (!decoded.has(name)) decoded.set(name, headerString(headers, name));
    return decoded.get(name);
  };

  const specversion = read('ce_specversion');
  if (specversion === undefined) {
    throw new MessagingError(MessagingErrorCode.MissingHeader, 'ce_specversion header is missing: not a CloudEvent');
  }
  if (specversion !== '1.0') {
    throw new MessagingError(
      MessagingErrorCode.UnsupportedSpecVersion,
      `ce_specversion "${specversion}" is not supported (only 1.0)`,
    );
  }
  const [id, source, type] = REQUIRED.map((attribute) => {
    const value = read(`ce_${attribute}`);
    if (!value) throw new MessagingError(MessagingErrorCode.MissingHeader, `ce_${attribute} header is missing`);
    return value;
  });
  const contentType = read('content-type') ?? read('ce_datacontenttype');
  if (contentType !== undefined && !contentType.toLowerCase().startsWith(CONTENT_TYPE)) {
    throw new MessagingError(
      MessagingErrorCode.UnsupportedContentType,
      `content-type "${contentType}" is not supported (only ${CONTENT_TYPE})`,
    );
  }
  const time = read('ce_time');
  if (time !== undefined && Number.isNaN(Date.parse(time))) {
    throw new MessagingError(MessagingErrorCode.InvalidHeader, `ce_time "${time}" is not an RFC 3339 timestamp`);
  }
  if (record.value === null || record.value.length === 0) {
    throw new MessagingError(MessagingErrorCode.EmptyValue, 'record value is empty: a CloudEvent needs JSON data');
  }
  let data: T;
  try {
    data = JSON.parse(record.value.toString()) as T;
  } catch (error) {
    throw new MessagingError(
      MessagingErrorCode.InvalidJson,
      `record value is not valid JSON: ${(error as Error).message}`,
    );
  }

  const event: CloudEvent<T> = {
    specversion: '1.0',
    id,
    source,
    type,
    datacontenttype: CONTENT_TYPE,
    data,
  };
  for (const attribute of ['time', 'subject', 'dataschema', 'correlationid', 'causationid', 'partitionkey'] as const) {
    const value = read(`ce_${attribute}`);
    if (value !== undefined) event[attribute] = value;
  }
  return event;
}

export function headerString(headers: IHeaders, name: string): string | undefined {
  // kafkajs gives null for a header sent without a value, which its type leaves out.
  const value = headers[name] as IHeaders[string] | null;
  if (value === undefined || value === null) return undefined;
  const first = Array.isArray(value) ? value.at(0) : value;
  return first === undefined ? undefined : first.toString();
}
