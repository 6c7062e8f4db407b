import { CONTRACT_EVENTS, schemaRegistry, type ContractEventType, type JsonObject } from '@passerelle/contracts';

/** The topic whose notifications become webhook deliveries. */
const NOTIFICATIONS_TOPIC = 'notifications.v1';

/**
 * Every contract type carried on notifications.v1, read from the contract (asyncapi.yaml): a type
 * added there (an alert, a new kind of notification) is consumed without a change here.
 */
export const NOTIFICATION_EVENT_TYPES: readonly ContractEventType[] = (
  Object.keys(CONTRACT_EVENTS) as ContractEventType[]
).filter((type) => CONTRACT_EVENTS[type].topic === NOTIFICATIONS_TOPIC);

/** A notification a subscription can get: addressed to one organization, saying what changed. */
export interface AddressedNotification {
  recipient: string;
  change: string;
  /** The validated data, as the webhook body. */
  body: JsonObject;
}

/** What the dispatcher does with one event of notifications.v1. */
export type NotificationVerdict =
  | { kind: 'fan-out'; notification: AddressedNotification }
  /** Not for webhooks (another consumer's type, or data without `recipient` and `change`): skipped. */
  | { kind: 'skip'; reason: string }
  /** Its data breaks its type's schema: a bug upstream, dead-lettered with the reason. */
  | { kind: 'invalid'; reason: string };

/**
 * Decides from the event's type and data alone: the data must satisfy its type's schema (the
 * schema registry, by the `dataschema` the contract pins), and it is fanned out when it names a
 * `recipient` and a `change` (the subscription filter matches `change`), whatever the type.
 */
export function addressedNotification(type: string, data: unknown): NotificationVerdict {
  const contract = (CONTRACT_EVENTS as Partial<Record<string, { topic: string; dataschema: string }>>)[type];
  if (contract?.topic !== NOTIFICATIONS_TOPIC) return { kind: 'skip', reason: `${type} is not a notification type` };
  const valid = schemaRegistry().validate<JsonObject>(contract.dataschema, data);
  if (!valid.ok)
    return { kind: 'invalid', reason: valid.errors.map((e) => `${e.pointer || '/'}: ${e.message}`).join('; ') };
  const { recipient, change } = valid.value;
  if (typeof recipient !== 'string' || typeof change !== 'string')
    return { kind: 'skip', reason: `${type} names no recipient and change` };
  return { kind: 'fan-out', notification: { recipient, change, body: valid.value } };
}
