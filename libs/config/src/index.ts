export * from './config';
export * from './settings';
export * from './webhook-addresses';
export * from './retention';
