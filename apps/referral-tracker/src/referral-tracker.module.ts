import { Module } from '@nestjs/common';

/**
 * The closed-loop referral ledger (lifecycle, routing, timers, outcome correlation). Its
 * handlers arrive with the referral-tracking issue; canonical topics carry many event types, so
 * types it does not handle are skipped, not dead-lettered.
 */
@Module({})
export class ReferralTrackerModule {}
