import { Module } from '@nestjs/common';
import { DashboardAssets } from './dashboard-assets';
import { DashboardController } from './dashboard.controller';
import { DashboardLabels } from './dashboard-labels';

/** `GET /v1/dashboard`: the ministry's page over the outcome report, its files and code labels. */
@Module({
  controllers: [DashboardController],
  providers: [DashboardAssets, DashboardLabels],
})
export class DashboardModule {}
