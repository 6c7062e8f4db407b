import type { components } from './generated/openapi';

export { SchemaRegistry, SchemaValidationError, schemaRegistry, toFieldErrors } from './schema-registry';
export type { FieldError, SchemaRegistryOptions, ValidationResult } from './schema-registry';
export {
  SCHEMA_BASE_URL,
  SCHEMA_MAJOR_VERSIONS,
  SchemaIds,
  normalizeSchemaId,
  schemaIdForPath,
  schemaIdMajorVersion,
  schemaMajorVersion,
  schemaPathForId,
} from './schema-ids';
export { RELEASED_SNAPSHOT_DIR, dataDir, schemasDir } from './schemas-dir';
export { loadAsyncApiDocument, loadOpenApiDocument } from './openapi-document';
export type { AsyncApiDocument, LoadDocumentOptions, OpenApiDocument } from './openapi-document';
export { BEARER_SCHEME, documentOperations, documentedScopes, operationAccess } from './openapi-access';
export type { DocumentOperation, OperationAccess } from './openapi-access';
export { OpenApiValidator } from './openapi-validator';
export { DLQ_SUFFIX, consumedTopicsWithDlq, contractTopicSpecs, contractTopics, dlqTopicFor } from './topics';
export type { ContractTopic } from './topics';
export type { JsonObject, JsonValue } from './json';
export { escapePointerToken, isJsonObject, resolvePointer } from './json';
export type { components, operations, paths } from './generated/openapi';

/** RFC 9457 problem details (`schemas/common/problem.json`). */
export type Problem = components['schemas']['Problem'];
/** Body of `/v1/health/live` and `/v1/health/ready` (`schemas/common/health.json`). */
export type HealthReport = components['schemas']['HealthReport'];
/** One dependency's entry in {@link HealthReport} (`schemas/common/health-check.json`). */
export type HealthCheck = components['schemas']['HealthCheck'];
/** CloudEvents binary-mode Kafka headers (`schemas/common/cloudevent-headers.json`). */
export type CloudEventHeaders = components['schemas']['CloudEventHeaders'];
/** Headers added to a dead-lettered record (`schemas/common/dlq-headers.json`). */
export type DlqHeaders = components['schemas']['DlqHeaders'];
export { nameBasedUuid, unambiguousName } from './name-based-uuid';

/** Source records, as received on the raw topics (`schemas/sources/`). */
export type OwCaseRecord = components['schemas']['OwCaseRecord'];
export type OdspEmploymentRecord = components['schemas']['OdspEmploymentRecord'];
export type EoServiceRecord = components['schemas']['EoServiceRecord'];
/** Canonical event data (`schemas/canonical/`). */
/**
 * `personal` as it travels may be sealed (`SealedPersonal`) or absent (client erased); inside a
 * service, once opened by `PersonalDataVault` at its edge, it is clear: `Client` and `Referral`
 * are that opened form, `*OnTheWire` the form events carry.
 */
export type ClientOnTheWire = components['schemas']['Client'];
export type Personal = Exclude<NonNullable<ClientOnTheWire['personal']>, { alg: 'A256GCM' }>;
export type Client = Omit<ClientOnTheWire, 'personal'> & { personal: Personal };
export type ClientLinkConflict = components['schemas']['ClientLinkConflict'];
export type Consent = components['schemas']['Consent'];
export type ReferralOnTheWire = components['schemas']['Referral'];
export type Referral = Omit<ReferralOnTheWire, 'personal'> & { personal?: Personal };
export type ServiceEvent = components['schemas']['ServiceEvent'];
export type EmploymentSpell = components['schemas']['EmploymentSpell'];
export type OutcomeMilestone = components['schemas']['OutcomeMilestone'];
export type FollowUpDue = components['schemas']['FollowUpDue'];
export type BenefitIssued = components['schemas']['BenefitIssued'];
export type ReferralNotification = components['schemas']['ReferralNotification'];
export type FollowUpNotification = components['schemas']['FollowUpNotification'];
export type ReferralResponse = components['schemas']['ReferralResponse'];
export type ReferralCancellation = components['schemas']['ReferralCancellation'];
export type ReferralRefusal = components['schemas']['ReferralRefusal'];
export type ReferralStatusChange = components['schemas']['ReferralStatusChange'];
export type SupportDuplicateSuspected = components['schemas']['SupportDuplicateSuspected'];
export type AlertNotification = components['schemas']['AlertNotification'];
export type MinistryOutcome = components['schemas']['MinistryOutcome'];
export type { MappedEvent, MappingContext, MappingResult } from './mapped-event';
export { ALERT_NOTIFICATION_TYPE, FOLLOW_UP_NOTIFICATION_TYPE, NOTIFICATION_TYPE } from './cloud-event';
export type { CloudEvent } from './cloud-event';
export { CONTRACT_EVENTS, CONTRACT_EVENT_TYPES, CONTRACT_TOPIC_NAMES } from './generated/asyncapi';
export type { ContractEventType, ContractTopicName } from './generated/asyncapi';
