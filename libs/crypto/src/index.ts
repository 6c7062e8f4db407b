export * from './secret-seal';
export * from './client-data-keys';
export * from './personal-data.error';
export * from './personal-data-vault';
export * from './sealed-personal';
