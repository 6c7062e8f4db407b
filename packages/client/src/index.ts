export {
  IDEMPOTENCY_KEY_HEADER,
  createPasserelleClient,
  newIdempotencyKey,
  type Answer,
  type PasserelleClient,
  type PasserelleClientOptions,
  type PasserellePaths,
  type Schemas,
} from './client';
export { PasserelleProblem, type Problem, type ProblemFieldError } from './problem';
export {
  DEFAULT_TOLERANCE_SECONDS,
  WEBHOOK_HEADERS,
  WebhookVerificationError,
  verifyWebhook,
  type AlertNotification,
  type FollowUpNotification,
  type ReferralNotification,
  type VerifiedWebhook,
  type WebhookNotification,
  type VerifyWebhookOptions,
  type WebhookHeaders,
  type WebhookVerificationFailure,
} from './webhook';
