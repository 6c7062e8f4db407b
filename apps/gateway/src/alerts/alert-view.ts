import { label, type Lang } from '@passerelle/codes';
import type { components } from '@passerelle/contracts';
import type { RecordedAlert } from './alert-read-model';

export type Alert = components['schemas']['AlertPage']['items'][number];
export type AlertPage = components['schemas']['AlertPage'];

/** An alert as its referrer reads it: the tracker's row, its kind (and support type) labelled in `language`. */
export function alertView(recorded: RecordedAlert, language: Lang): Alert {
  const kind = recorded.kind as Alert['kind'];
  const details = recorded.details as Alert['details'];
  return {
    alertId: recorded.alertId,
    kind,
    ...(recorded.referralId !== null && { referralId: recorded.referralId }),
    clientId: recorded.clientId,
    occurredAt: recorded.occurredAt,
    details,
    ...(recorded.acknowledgedAt !== null && { acknowledgedAt: recorded.acknowledgedAt.toISOString() }),
    labels: {
      kind: label('alert-kinds', kind, language),
      ...(details.benefitType !== undefined && { benefitType: label('benefit-types', details.benefitType, language) }),
    },
  };
}
