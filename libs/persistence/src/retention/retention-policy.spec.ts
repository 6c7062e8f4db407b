import {
  RETENTION_KINDS,
  RETENTION_RUN_LOG_DAYS,
  retentionCutoffs,
  retentionSlot,
  type RetentionPolicy,
} from './retention-policy';

const policy: RetentionPolicy = {
  closedReferralPersonalDays: 30,
  webhookDeliveryDays: 90,
  idempotencyKeyHours: 24,
  inboxDays: 60,
  clientKeyDays: 45,
  closedRecordDays: 120,
};

describe('retentionCutoffs', () => {
  const now = new Date('2026-03-15T12:00:00.000Z');

  it('puts each cutoff its retention before now, in 24-hour days', () => {
    expect(retentionCutoffs(now, policy)).toEqual({
      'closed-referral-personal': new Date('2026-02-13T12:00:00.000Z'),
      'client-keys': new Date('2026-01-29T12:00:00.000Z'),
      'webhook-deliveries': new Date('2025-12-15T12:00:00.000Z'),
      'idempotency-keys': new Date('2026-03-14T12:00:00.000Z'),
      inbox: new Date('2026-01-14T12:00:00.000Z'),
      'closed-records': new Date('2025-11-15T12:00:00.000Z'),
      'retention-runs': new Date(now.getTime() - RETENTION_RUN_LOG_DAYS * 86_400_000),
    });
  });

  it('gives every kind a cutoff, in the order the run purges them', () => {
    expect(Object.keys(retentionCutoffs(now, { ...policy, auditLogDays: 1 }))).toEqual([...RETENTION_KINDS]);
  });

  it('keeps the audit log forever unless it has a retention', () => {
    expect(retentionCutoffs(now, policy)['audit-log']).toBeUndefined();
    expect(retentionCutoffs(now, { ...policy, auditLogDays: 3650 })['audit-log']).toEqual(
      new Date('2016-03-17T12:00:00.000Z'),
    );
  });

  it('does not move a cutoff by an hour across a daylight saving change', () => {
    // Toronto springs forward on 2026-03-08: 30 days before 2026-03-20 12:00Z is still 12:00Z.
    const cutoff = retentionCutoffs(new Date('2026-03-20T12:00:00.000Z'), policy)['closed-referral-personal'];
    expect(cutoff).toEqual(new Date('2026-02-18T12:00:00.000Z'));
  });
});

describe('retentionSlot', () => {
  it('is the start of the interval now falls in, the same for every instant of it', () => {
    const hour = 3_600_000;
    expect(retentionSlot(new Date('2026-03-15T12:00:00.000Z'), hour)).toEqual(new Date('2026-03-15T12:00:00.000Z'));
    expect(retentionSlot(new Date('2026-03-15T12:59:59.999Z'), hour)).toEqual(new Date('2026-03-15T12:00:00.000Z'));
    expect(retentionSlot(new Date('2026-03-15T13:00:00.000Z'), hour)).toEqual(new Date('2026-03-15T13:00:00.000Z'));
  });

  it('refuses an interval that is not a positive whole number of ms', () => {
    expect(() => retentionSlot(new Date(), 0)).toThrow('interval 0 ms is not a positive integer');
    expect(() => retentionSlot(new Date(), 1.5)).toThrow(RangeError);
  });
});
