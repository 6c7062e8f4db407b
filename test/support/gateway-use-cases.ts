import { HttpException } from '@nestjs/common';
import type { ApiChange, ApiEventSender } from '../../apps/gateway/src/api-events';

/** What a gateway use case answered: its problem's status and detail, or 200 when it did not refuse. */
export async function problemOf(work: Promise<unknown>): Promise<{ status: number; detail?: unknown }> {
  try {
    await work;
    return { status: 200 };
  } catch (error) {
    if (!(error instanceof HttpException)) throw error;
    const body = error.getResponse();
    return { status: error.getStatus(), detail: typeof body === 'object' && 'detail' in body ? body.detail : body };
  }
}

/** An `ApiEventSender` that keeps what it is asked to send (`sent`); each event gets the id `event-1`. */
export function recordingEventSender(): { events: ApiEventSender; sent: ApiChange<unknown>[] } {
  const sent: ApiChange<unknown>[] = [];
  const events = {
    eventIdOf: () => 'event-1',
    send: (change: ApiChange<unknown>) => {
      sent.push(change);
      return Promise.resolve({ id: 'event-1' });
    },
  };
  return { events: events as unknown as ApiEventSender, sent };
}
