export { EO_EVENT_KINDS, EO_SERVICE_RECORD_SCHEMA_ID, mapEoServiceRecord } from './eo-service-record.mapping';
export {
  IES_MIN_HOURS_PER_WEEK,
  ONTARIO_GENERAL_MINIMUM_WAGE,
  iesMilestoneAchieved,
  minimumWageCentsOn,
  moneyToCents,
} from './ies-milestone';
export type { MilestoneJob } from './ies-milestone';
