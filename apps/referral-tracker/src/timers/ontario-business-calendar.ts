// The calendar moved to @passerelle/lifecycle (the gateway's reports count business days too);
// re-exported here so the tracker's imports stay as they are.
export {
  HOLIDAYS_SCHEMA_ID,
  HolidayCalendarError,
  OntarioBusinessCalendar,
  defaultHolidaysFile,
} from '@passerelle/lifecycle';
export type { HolidayDefinition, HolidayRule, StatutoryHoliday } from '@passerelle/lifecycle';
