export * from './retention-policy';
export * from './retention-purges';
export * from './retention-run';
export * from './retention-schedule';
