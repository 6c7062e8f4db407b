export * from './source-record-translator';
export * from './personal-data-edge';
export * from './translation.error';
export * from './contact';
export * from './ow-entity-ids';
export * from './source-parts';
export * from './record-events';
