import { Body, Controller, Get, Headers, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventPublisher, TopicNames } from '@passerelle/messaging';
import { IdempotencyStore, type DatabaseHandle } from '@passerelle/persistence';
import { Access } from '../auth/access';
import { principalOf } from '../auth/auth.guard';
import type { GatewayConfig } from '../gateway.config';
import { idempotentPost, problem } from '../idempotency/idempotent-post';
import { DATABASE, GATEWAY_CONFIG } from '../tokens';
import { ReferralStatusReader, type ReferralStatus } from './referral-status';
import { SubmitReferral } from './submit-referral';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
    return idempotentPost(this.idempotency, org, key, body, reply, async () => {
      const result = await this.submissions.submit(body, org);
      if (!result.ok) throw problem(result.status, result.status === 400 ? 'Bad request' : 'Forbidden', result.detail, result.errors);
      const status: ReferralStatus = result.status;
      return { status: 202, body: status, headers: { location: status.links.self } };
    });
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
