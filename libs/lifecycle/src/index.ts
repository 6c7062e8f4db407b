export * from './lifecycle.error';
export * from './referral-lifecycle';
export * from './ontario-business-calendar';
export * from './status-groups';
export * from './status-change-requests';
