import { Body, Controller, Headers, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventPublisher, TopicNames } from '@passerelle/messaging';
import { IdempotencyStore, type DatabaseHandle } from '@passerelle/persistence';
import { Access } from '../auth/access';
import { principalOf } from '../auth/auth.guard';
import type { GatewayConfig } from '../gateway.config';
import { idempotentPost } from '../idempotency/idempotent-post';
import { problem } from '../problem/problem';
import { DATABASE, GATEWAY_CONFIG } from '../tokens';
import { ProviderServiceRecords } from './provider-service-records';

/** `POST /v1/provider/service-records`: what a provider did with its clients, as EO service records. */
@Controller('provider/service-records')
export class ServiceRecordsController {
  private readonly serviceRecords: ProviderServiceRecords;
  private readonly idempotency: IdempotencyStore;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    publisher: EventPublisher,
    @Inject(DATABASE) database: DatabaseHandle,
  ) {
    this.serviceRecords = new ProviderServiceRecords(
      database,
      publisher,
      new TopicNames(config.topicPrefix).of('eo.service-records.v1'),
    );
    this.idempotency = new IdempotencyStore(database.db);
  }

  @Post()
  @Access({ scopes: ['provider:write'], orgKinds: ['eo'] })
  record(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
  ): Promise<unknown> {
    const caller = principalOf(request);
    return idempotentPost(this.idempotency, caller.org, key, body, reply, async () => {
      const result = await this.serviceRecords.record(caller.org, caller.subject, body);
      if (!result.ok)
        throw problem(400, 'the service records are invalid: nothing was stored', { errors: result.errors });
      return { status: 202, body: result.accepted };
    });
  }
}
