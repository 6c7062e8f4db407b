import { Body, Controller, Get, Headers, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventPublisher, TopicNames } from '@passerelle/messaging';
import { IdempotencyStore, type DatabaseHandle } from '@passerelle/persistence';
import { ApiEventSender, UUID } from '../api-events';
import { Access } from '../auth/access';
import { principalOf } from '../auth/auth.guard';
import type { GatewayConfig } from '../gateway.config';
import { idempotentPost } from '../idempotency/idempotent-post';
import { problem, refusal, validBody } from '../problem/problem';
import { referralPageQuery, type ReferralListParams } from '../paging/referral-pages';
import { DATABASE, GATEWAY_CONFIG } from '../tokens';
import { ReferralChanges, type ReferralStatusPage } from './referral-changes';
import { labelled, ReferralStatusReader, type ReferralStatus } from './referral-status';
import { preferredLanguage } from '../problem/problem-language';
import { SubmitReferral } from './submit-referral';

/** Referrers: submit a referral, list and read their referrals, cancel one. */
@Controller('referrals')
export class ReferralsController {
  private readonly submissions: SubmitReferral;
  private readonly reader: ReferralStatusReader;
  private readonly idempotency: IdempotencyStore;
  private readonly changes: ReferralChanges;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    publisher: EventPublisher,
    @Inject(DATABASE) database: DatabaseHandle,
  ) {
    this.submissions = new SubmitReferral(publisher, new TopicNames(config.topicPrefix).of('ow.case-records.v1'));
    this.reader = new ReferralStatusReader(database);
    this.idempotency = new IdempotencyStore(database.db);
    this.changes = new ReferralChanges(
      database,
      new ApiEventSender(publisher, new TopicNames(config.topicPrefix).of('referrals.v1')),
    );
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
    const { org, subject } = principalOf(request);
    return idempotentPost(this.idempotency, org, key, body, reply, async () => {
      const result = await this.submissions.submit(body, org, subject);
      if (!result.ok) throw refusal(result);
      const status: ReferralStatus = result.status;
      return { status: 202, body: status, headers: { location: status.links.self }, effects: result.effects };
    });
  }

  /** The caller's referrals, oldest change first, with filters and cursor pages. */
  @Get()
  @Access({ scopes: ['referrals:read'], orgKinds: ['ow', 'odsp'] })
  async list(@Req() request: FastifyRequest, @Query() query: ReferralListParams): Promise<ReferralStatusPage> {
    const page = await this.changes.list(principalOf(request).org, referralPageQuery(query));
    const language = preferredLanguage(request.headers['accept-language']);
    return { ...page, items: page.items.map((item) => labelled(item, language)) };
  }

  /** Cancel with a reason: checked against the lifecycle (`409` when refused), then sent to the tracker. */
  @Post(':referralId/cancel')
  @Access({ scopes: ['referrals:write'], orgKinds: ['ow', 'odsp'] })
  cancel(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Param('referralId') referralId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
  ): Promise<unknown> {
    const org = principalOf(request).org;
    return idempotentPost(this.idempotency, org, key, { referralId, body }, reply, async () => {
      const { reason } = validBody<{ reason: string }>(
        'api/referral-cancel.json',
        body,
        'a cancellation needs its reason',
      );
      if (!UUID.test(referralId)) throw problem(404, 'no such referral');
      const result = await this.changes.cancel(org, referralId.toLowerCase(), reason, key!);
      if (!result.ok) throw refusal(result);
      return { status: 202, body: result.requested };
    });
  }

  /** Where the referral stands; `404` for one that does not exist and for another organization's, alike. */
  @Get(':referralId')
  @Access({ scopes: ['referrals:read'], orgKinds: ['ow', 'odsp'] })
  async read(@Req() request: FastifyRequest, @Param('referralId') referralId: string): Promise<ReferralStatus> {
    const found = UUID.test(referralId)
      ? await this.reader.read(referralId.toLowerCase(), principalOf(request).org)
      : undefined;
    if (!found) throw problem(404, 'no such referral');
    return labelled(found, preferredLanguage(request.headers['accept-language']));
  }
}
