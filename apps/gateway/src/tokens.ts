/** Injection tokens of values the gateway builds before Nest (config and outside systems). */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
export const DATABASE = Symbol('DATABASE');
export const KAFKA = Symbol('KAFKA');
export const METRICS = Symbol('METRICS');
