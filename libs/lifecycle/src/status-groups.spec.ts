import { loadReferralLifecycle, type ReferralStatus } from './referral-lifecycle';
import { TAKEN_ON_STATUSES } from './status-groups';

describe('status groups', () => {
  const { rules } = loadReferralLifecycle();

  it("takes on: accepted and what the provider's own steps lead to from there, per the lifecycle data", () => {
    const takenOn = new Set<ReferralStatus>(['accepted']);
    for (let grew = true; grew;) {
      grew = false;
      for (const rule of rules) {
        const providerOnly = rule.actors.length === 1 && rule.actors[0] === 'provider';
        if (providerOnly && takenOn.has(rule.from) && !takenOn.has(rule.to)) {
          takenOn.add(rule.to);
          grew = true;
        }
      }
    }
    expect([...TAKEN_ON_STATUSES].sort()).toEqual([...takenOn].sort());
  });
});
