import { LifecycleRefusal } from './referral-lifecycle';
import { checkStatusChange, statusChangeOf } from './status-change-requests';

describe('lifecycle requests by name', () => {
  it('maps each named change to its lifecycle move, and a no-show to none', () => {
    expect(statusChangeOf('on-hold', 'provider', 'sick')).toEqual({
      to: 'on-hold',
      actor: 'provider',
      reason: { text: 'sick' },
    });
    expect(statusChangeOf('resume', 'provider', undefined)).toEqual({ to: 'in-progress', actor: 'provider' });
    expect(statusChangeOf('cancel', 'provider', 'gone')).toMatchObject({ to: 'cancelled' });
    expect(statusChangeOf('entered-in-error', 'referrer', undefined)).toEqual({
      to: 'entered-in-error',
      actor: 'referrer',
    });
    expect(statusChangeOf('no-show', 'provider', undefined)).toBeUndefined();
  });

  it('checks them by the lifecycle table: who may, from where, with what reason', () => {
    expect(checkStatusChange('accepted', 'on-hold', 'provider', 'sick')).toMatchObject({ ok: true });
    expect(checkStatusChange('accepted', 'on-hold', 'provider', undefined)).toMatchObject({
      ok: false,
      code: LifecycleRefusal.ReasonRequired,
    });
    expect(checkStatusChange('requested', 'on-hold', 'provider', 'sick')).toMatchObject({
      ok: false,
      code: LifecycleRefusal.IllegalTransition,
    });
    expect(checkStatusChange('accepted', 'entered-in-error', 'provider', undefined)).toMatchObject({
      ok: false,
      code: LifecycleRefusal.ActorNotAllowed,
    });
    expect(checkStatusChange('on-hold', 'entered-in-error', 'referrer', undefined)).toMatchObject({ ok: true });
  });

  it('resumes only from on-hold, and records a no-show only on an open referral the provider took on', () => {
    expect(checkStatusChange('on-hold', 'resume', 'provider', undefined)).toMatchObject({ ok: true });
    expect(checkStatusChange('accepted', 'resume', 'provider', undefined)).toMatchObject({
      ok: false,
      code: LifecycleRefusal.IllegalTransition,
    });
    for (const status of ['accepted', 'in-progress', 'on-hold'] as const)
      expect(checkStatusChange(status, 'no-show', 'provider', undefined)).toEqual({ ok: true });
    for (const status of ['requested', 'completed', 'cancelled'] as const)
      expect(checkStatusChange(status, 'no-show', 'provider', undefined)).toMatchObject({ ok: false });
    expect(checkStatusChange('accepted', 'no-show', 'referrer', undefined)).toMatchObject({ ok: false });
  });
});
