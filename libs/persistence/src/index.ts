export * from './database';
export * from './inbox';
export * from './schema';
export * from './client-link-registry';
export * from './outbox';
export * from './durable-timers';
export * from './unit-of-work';
export * from './idempotency-store';
