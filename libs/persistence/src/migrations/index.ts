import type { Migration } from 'kysely';
import * as inbox from './0001_inbox';
import * as clientLinks from './0002_client_links';
import * as referralLedger from './0003_referral_ledger';
import * as trackerTimersOutcomes from './0004_tracker_timers_outcomes';
import * as parkedEvents from './0005_parked_events';
import * as gatewayRequests from './0006_gateway_requests';
import * as consentSnapshot from './0007_consent_snapshot';
import * as auditLog from './0008_audit_log';
import * as timerPendingIndex from './0009_timer_pending_index';
import * as webhooks from './0010_webhooks';
import * as referralChangeOrder from './0012_referral_change_order';
import * as auditAppend from './0013_audit_append';
import * as followUpsByProvider from './0015_follow_ups_by_provider';
import * as alertsAndLinkConflicts from './0016_alerts_and_link_conflicts';
import * as retention from './0017_retention';
import * as clientKeys from './0018_client_keys';
import * as clientKeyUse from './0019_client_key_use';

/** Every migration, in order. Names are permanent: kysely records them in the schema. */
export const migrations: Record<string, Migration> = {
  '0001_inbox': inbox,
  '0002_client_links': clientLinks,
  '0003_referral_ledger': referralLedger,
  '0004_tracker_timers_outcomes': trackerTimersOutcomes,
  '0005_parked_events': parkedEvents,
  '0006_gateway_requests': gatewayRequests,
  '0007_consent_snapshot': consentSnapshot,
  '0008_audit_log': auditLog,
  '0009_timer_pending_index': timerPendingIndex,
  '0010_webhooks': webhooks,
  '0012_referral_change_order': referralChangeOrder,
  '0013_audit_append': auditAppend,
  '0015_follow_ups_by_provider': followUpsByProvider,
  '0016_alerts_and_link_conflicts': alertsAndLinkConflicts,
  '0017_retention': retention,
  '0018_client_keys': clientKeys,
  '0019_client_key_use': clientKeyUse,
};
