export * from './secret-seal';
