export * from './auth.error';
export * from './dev-keys';
export * from './principal';
export * from './token-verifier';
