export * from './config';
export * from './settings';
