import type { HttpException } from '@nestjs/common';
import type { Principal } from '@passerelle/auth';
import { problemOf } from '../../../../test/support/gateway-use-cases';
import { AcknowledgeAlert } from './acknowledge-alert';
import type { AlertAcknowledgements } from './alert-acknowledgements';
import type { AlertReadModel, RecordedAlert } from './alert-read-model';
import { alertPageQuery, encodeAlertCursor } from './alert-query';
import { alertView } from './alert-view';

const ALERT = '9c8b7a6d-5e4f-5a3b-8c2d-1e0f9a8b7c6d';
const REFERRAL = '88553b41-1d3c-5313-8aad-07f436ff6f10';

const pointersOf = (run: () => unknown): string[] => {
  try {
    run();
  } catch (error) {
    const body = (error as HttpException).getResponse() as { errors: Array<{ pointer: string }> };
    return body.errors.map((e) => e.pointer);
  }
  return [];
};

describe('alert list query (?kind=&referralId=&cursor=&limit=)', () => {
  it('keeps the filters, lower-cases the referral id, and decodes a cursor it gave', () => {
    const cursor = encodeAlertCursor({ occurredAt: '2025-10-14T20:45:00.000000Z', alertId: ALERT });
    expect(alertPageQuery({ kind: 'no-show', referralId: REFERRAL.toUpperCase(), cursor, limit: '1' })).toEqual({
      kind: 'no-show',
      referralId: REFERRAL,
      cursor: { occurredAt: '2025-10-14T20:45:00.000000Z', alertId: ALERT },
      limit: 1,
    });
    expect(alertPageQuery({})).toEqual({ limit: 50 });
  });

  it('names every bad parameter', () => {
    expect(pointersOf(() => alertPageQuery({ kind: 'late', referralId: 'x', limit: '201', cursor: 'abc' }))).toEqual([
      '/kind',
      '/referralId',
      '/limit',
      '/cursor',
    ]);
  });
});

describe('an alert as the referrer reads it', () => {
  const recorded = {
    alertId: ALERT,
    kind: 'duplicate-support',
    referralId: null,
    clientId: '8d7c6b5a-4e3f-5a2b-9c1d-0e9f8a7b6c5d',
    occurredAt: '2025-10-14T20:45:00.000000Z',
    details: { benefitType: 'work-clothing', supports: [] },
    acknowledgedAt: null,
  };

  it('labels its kind and support type in English or French, and leaves out a missing referral', () => {
    const english = alertView(recorded, 'en');
    expect(english).not.toHaveProperty('referralId');
    expect(english.labels.kind).toBe('Same support issued by OW or ODSP and by an EO provider');
    const french = alertView({ ...recorded, kind: 'no-show', referralId: REFERRAL, details: {} }, 'fr');
    expect(french).toMatchObject({
      referralId: REFERRAL,
      labels: { kind: 'Le client ne s’est pas présenté à un rendez-vous prévu' },
    });
    expect(french.labels).not.toHaveProperty('benefitType');
    expect(english.labels.benefitType).not.toBe(alertView(recorded, 'fr').labels.benefitType);
    expect(english).not.toHaveProperty('acknowledgedAt');
  });

  it('says when its recipient acknowledged it', () => {
    const acknowledgedAt = new Date('2025-10-15T13:00:00.000Z');
    expect(alertView({ ...recorded, acknowledgedAt }, 'en').acknowledgedAt).toBe('2025-10-15T13:00:00.000Z');
  });
});

describe('AcknowledgeAlert', () => {
  const alert: RecordedAlert = {
    alertId: ALERT,
    kind: 'no-show',
    referralId: REFERRAL,
    clientId: '8d7c6b5a-4e3f-5a2b-9c1d-0e9f8a7b6c5d',
    occurredAt: '2025-10-14T20:45:00.000000Z',
    details: {},
    acknowledgedAt: null,
  };
  const caller = { org: 'ow:greater-sudbury', subject: 'caseworker-1' } as Principal;
  const acknowledged: string[] = [];
  const useCase = new AcknowledgeAlert(
    {
      find: (org: string) => Promise.resolve(org === 'ow:greater-sudbury' ? alert : undefined),
    } as unknown as AlertReadModel,
    {
      acknowledge: (alertId: string) => {
        acknowledged.push(alertId);
        return Promise.resolve(new Date('2025-10-15T13:00:00.000Z'));
      },
    } as unknown as AlertAcknowledgements,
  );

  it('acknowledges the alert of its recipient and audits it with the answer', async () => {
    const answer = await useCase.execute(caller, ALERT, 'en');
    expect(answer.body).toMatchObject({ alertId: ALERT, acknowledgedAt: '2025-10-15T13:00:00.000Z' });
    expect(answer.extras.effects?.audit).toEqual([
      expect.objectContaining({ org: 'ow:greater-sudbury', action: 'write', resource: `alert/${ALERT}` }),
    ]);
  });

  it('answers 404 to any other organization, acknowledging nothing', async () => {
    acknowledged.length = 0;
    expect(await problemOf(useCase.execute({ ...caller, org: 'ow:toronto' }, ALERT, 'en'))).toEqual({
      status: 404,
      detail: 'no such alert',
    });
    expect(acknowledged).toEqual([]);
  });
});
