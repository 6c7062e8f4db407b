import { Module } from '@nestjs/common';
import { DocsController } from './docs.controller';
import { SwaggerUiAssets } from './swagger-ui-assets';

/** `GET /v1/docs`: the API's documentation, rendered from the contract. */
@Module({
  controllers: [DocsController],
  providers: [SwaggerUiAssets],
})
// eslint-disable-next-line @typescript-eslint/no-extraneous-class -- a Nest module is an empty class carrying @Module
export class DocsModule {}
