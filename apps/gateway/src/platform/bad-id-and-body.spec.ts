import { Body, Controller, Param, Post } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { CanonicalIdPipe } from './canonical-id.pipe';
import { ValidBodyPipe } from './valid-body.pipe';

/** Laid out like the gateway's POST handlers with an id and a body: the id first, the body after it. */
@Controller('referrals')
class CancelLikeController {
  @Post(':referralId/cancel')
  cancel(
    @Param('referralId', new CanonicalIdPipe('REFERRAL_NOT_FOUND', 'no such referral')) referralId: string,
    @Body(new ValidBodyPipe('api/referral-cancel.json', 'a cancellation needs its reason')) body: { reason: string },
  ): { referralId: string; reason: string } {
    return { referralId, reason: body.reason };
  }
}

describe('an id and a body, both checked by pipes', () => {
  let app: NestFastifyApplication;
  let url: string;
  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [CancelLikeController] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });
  afterAll(async () => {
    await app.close();
  });

  const cancel = async (id: string, body: unknown): Promise<{ status: number; detail: unknown }> => {
    const response = await fetch(`${url}/referrals/${id}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as { detail?: unknown; referralId?: unknown };
    return { status: response.status, detail: answer.detail ?? answer.referralId };
  };

  it('answers a bad body with its 400 even when the id is bad too', async () => {
    expect(await cancel('not-a-uuid', { extra: 1 })).toEqual({
      status: 400,
      detail: 'a cancellation needs its reason',
    });
  });

  it('answers a good body on a bad id with the 404 of a missing referral, and lower-cases a good id', async () => {
    expect(await cancel('not-a-uuid', { reason: 'moved' })).toEqual({ status: 404, detail: 'no such referral' });
    const id = crypto.randomUUID();
    expect(await cancel(id.toUpperCase(), { reason: 'moved' })).toEqual({ status: 201, detail: id });
  });
});
