export * from './lifecycle.error';
export * from './referral-lifecycle';
