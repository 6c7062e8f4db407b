import { Module } from '@nestjs/common';
import { DocsController } from './docs.controller';
import { SwaggerUiAssets } from './swagger-ui-assets';

/** `GET /v1/docs`: the API's documentation, rendered from the contract. */
@Module({
  controllers: [DocsController],
  providers: [SwaggerUiAssets],
})
export class DocsModule {}
