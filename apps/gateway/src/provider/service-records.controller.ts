import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import type { Principal } from '@passerelle/auth';
import { Access } from '../auth/access';
import { Caller } from '../auth/caller.decorator';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { RecordServiceRecords, type ServiceRecordsAccepted } from './record-service-records';

/** `POST /v1/provider/service-records`: what a provider did with its clients, as EO service records. */
@Controller('provider/service-records')
export class ServiceRecordsController {
  constructor(private readonly recordServiceRecords: RecordServiceRecords) {}

  @Post()
  @HttpCode(202)
  @Idempotent()
  @Access({ scopes: ['provider:write'], orgKinds: ['eo'] })
  record(@Caller() caller: Principal, @Body() body: unknown): Promise<ServiceRecordsAccepted> {
    return this.recordServiceRecords.execute(caller, body);
  }
}
