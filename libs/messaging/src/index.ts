export * from './cloud-event';
export * from './consumer-runner';
export * from './event-id';
export * from './event-publisher';
export * from './kafka-client';
export * from './kafka-event.transport';
export * from './messaging.error';
export * from './topic-provisioner';
