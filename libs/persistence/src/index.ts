export * from './database';
export * from './inbox';
export * from './schema';
