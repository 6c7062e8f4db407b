import { createHash } from 'node:crypto';
import type { CloudEvent, ContractEventType } from '@passerelle/contracts';
import { canonicalEvent, deterministicEventId, type EventPublisher } from '@passerelle/messaging';

/** What an API request asks of the tracker, as one canonical event. */
export interface ApiChange<T> {
  /** Calling organization. */
  org: string;
  /** The request's Idempotency-Key: a retried request yields the same event (same `ce_id`). */
  requestKey: string;
  type: ContractEventType;
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

  /**
   * The `ce_id` the change of this request gets, known before it is sent: a use case can tell that
   * a retried request's change was already applied (its first try's answer lost) and answer it so.
   */
  eventIdOf(change: Pick<ApiChange<unknown>, 'org' | 'requestKey' | 'type' | 'subject'>): string {
    return deterministicEventId({
      sourceSystem: `passerelle-api:${change.org}`,
      recordId: change.subject,
      version: change.requestKey,
      type: change.type,
    });
  }

  async send<T>(change: ApiChange<T>): Promise<CloudEvent<T>> {
    const event = canonicalEvent({
      type: change.type,
      id: this.eventIdOf(change),
      source: change.route,
      time: change.time,
      subject: change.subject,
      partitionkey: change.clientId,
      data: change.data,
    });
    await this.publisher.publish(this.referralsTopic, [event]);
    return event;
  }
}
