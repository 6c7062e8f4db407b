export * from './event-app';
export * from './outbox-relay-worker';
