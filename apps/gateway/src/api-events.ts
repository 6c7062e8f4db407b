import { createHash } from 'node:crypto';
import { schemaIdForPath, type CanonicalEvent } from '@passerelle/contracts';
import { deterministicEventId, type EventPublisher } from '@passerelle/messaging';

/** A canonical id in a path, as the gateway accepts it (anything else is simply not found). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What an API request asks of the tracker, as one canonical event. */
export interface ApiChange<T> {
  /** Calling organization. */
  org: string;
  /** The request's Idempotency-Key: a retried request yields the same event (same `ce_id`). */
  requestKey: string;
  type: string;
  /** Path of the data's schema under `schemas/`. */
  schemaPath: string;
  /** Entity the event is about (`ce_subject`). */
  subject: string;
  clientId: string;
  /** The API route it came in by (`ce_source`). */
  route: string;
  time: string;
  data: T;
}

/** The source record of data that came in by an API request (system `passerelle-api`). */
export function apiSourceRecord(
  org: string,
  requestKey: string,
): { system: 'passerelle-api'; recordId: string; recordVersion: number } {
  return {
    system: 'passerelle-api',
    recordId: `api-${createHash('sha256').update(`${org}|${requestKey}`).digest('hex').slice(0, 32)}`,
    recordVersion: 1,
  };
}

/** Sends what referrers and providers ask through the API to the tracker, on `referrals.v1` (acks=all). */
export class ApiEventSender {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly referralsTopic: string,
  ) {}

  async send<T>(change: ApiChange<T>): Promise<CanonicalEvent<T>> {
    const event: CanonicalEvent<T> = {
      specversion: '1.0',
      id: deterministicEventId({
        sourceSystem: `passerelle-api:${change.org}`,
        recordId: change.subject,
        version: change.requestKey,
        type: change.type,
      }),
      source: change.route,
      type: change.type,
      time: change.time,
      subject: change.subject,
      dataschema: schemaIdForPath(change.schemaPath),
      partitionkey: change.clientId,
      datacontenttype: 'application/json',
      data: change.data,
    };
    await this.publisher.publish(this.referralsTopic, [event]);
    return event;
  }
}
