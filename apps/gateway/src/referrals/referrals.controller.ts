import { createHash } from 'node:crypto';
import { Body, Controller, Get, Headers, HttpException, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FieldError } from '@passerelle/contracts';
import { EventPublisher, TopicNames } from '@passerelle/messaging';
import { IdempotencyStore, type DatabaseHandle } from '@passerelle/persistence';
import { Access } from '../auth/access';
import { principalOf } from '../auth/auth.guard';
import type { GatewayConfig } from '../gateway.config';
import { DATABASE, GATEWAY_CONFIG } from '../tokens';
import { ReferralStatusReader, type ReferralStatus } from './referral-status';
import { SubmitReferral } from './submit-referral';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function problem(status: number, title: string, detail: string, errors?: FieldError[]): HttpException {
  return new HttpException({ type: 'about:blank', title, status, detail, ...(errors !== undefined && { errors }) }, status);
}

/** Referrers: submit a referral, read where it stands. */
@Controller('referrals')
export class ReferralsController {
  private readonly submissions: SubmitReferral;
  private readonly reader: ReferralStatusReader;
  private readonly idempotency: IdempotencyStore;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, publisher: EventPublisher, @Inject(DATABASE) database: DatabaseHandle) {
    this.submissions = new SubmitReferral(publisher, database, new TopicNames(config.topicPrefix).of('ow.case-records.v1'));
    this.reader = new ReferralStatusReader(database);
    this.idempotency = new IdempotencyStore(database.db);
  }

  /**
   * `202` once the case record is on Kafka (acks=all) and the submission recorded. The same
   * `Idempotency-Key` and body replay the first answer; another body is `422`; while the first
   * request runs, `409`.
   */
  @Post()
  @Access({ scopes: ['referrals:write'], orgKinds: ['ow'] })
  async submit(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
  ): Promise<unknown> {
    const org = principalOf(request).org;
    if (key === undefined || !IDEMPOTENCY_KEY.test(key)) {
      throw problem(400, 'Bad request', 'send an Idempotency-Key header (1 to 255 visible ASCII characters) with every POST', [
        { pointer: '', code: 'idempotency-key', message: 'the Idempotency-Key header is missing or malformed' },
      ]);
    }
    const hash = createHash('sha256').update(JSON.stringify(body ?? null)).digest('hex');
    const claim = await this.idempotency.claim(org, key, hash);
    if (claim.kind === 'mismatch') throw problem(422, 'Unprocessable content', 'this Idempotency-Key was used with another request body');
    if (claim.kind === 'in-progress') throw problem(409, 'Conflict', 'a request with this Idempotency-Key is still being answered; retry shortly');
    if (claim.kind === 'replay') {
      for (const [name, value] of Object.entries(claim.response.headers)) void reply.header(name, value);
      void reply.status(claim.response.status).header('idempotent-replayed', 'true');
      if (claim.response.status >= 400) void reply.header('content-type', 'application/problem+json');
      return claim.response.body;
    }

    let result;
    try {
      result = await this.submissions.submit(body, org);
    } catch (error) {
      // Nothing durable to answer with: the key is free for a retry, and this is never a 2xx.
      await this.idempotency.release(org, key);
      throw problem(503, 'Service unavailable', `the referral could not be stored (${(error as Error).message}); retry with the same Idempotency-Key`);
    }
    if (!result.ok) {
      const body = { type: 'about:blank', title: result.status === 400 ? 'Bad request' : 'Forbidden', status: result.status, detail: result.detail, errors: result.errors };
      await this.idempotency.complete(org, key, { status: result.status, body, headers: {} });
      throw new HttpException(body, result.status);
    }
    const status: ReferralStatus = result.status;
    await this.idempotency.complete(org, key, { status: 202, body: status, headers: { location: status.links.self } });
    void reply.status(202).header('location', status.links.self);
    return status;
  }

  /** Where the referral stands; `404` for one that does not exist and for another organization's, alike. */
  @Get(':referralId')
  @Access({ scopes: ['referrals:read'], orgKinds: ['ow', 'odsp'] })
  async read(@Req() request: FastifyRequest, @Param('referralId') referralId: string): Promise<ReferralStatus> {
    const found = UUID.test(referralId) ? await this.reader.read(referralId.toLowerCase(), principalOf(request).org) : undefined;
    if (!found) throw problem(404, 'Not found', 'no such referral');
    return found;
  }
}
