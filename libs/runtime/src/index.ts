export * from './event-app';
export * from './outbox-relay-worker';
export { kafkaOutboxSink } from './outbox-relay-protocol';
