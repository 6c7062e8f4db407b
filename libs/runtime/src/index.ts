export * from './event-app';
