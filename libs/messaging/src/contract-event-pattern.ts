import { EventPattern } from '@nestjs/microservices';
import type { ContractEventType } from '@passerelle/contracts';

/**
 * `@EventPattern` for a `ce_type` of the contract: a handler of a misspelt or undeclared type does
 * not compile. `extras` as for `@EventPattern` (e.g. `BATCH_HANDLER`).
 */
export function ContractEventPattern(type: ContractEventType, extras?: Record<string, unknown>): MethodDecorator {
  return EventPattern(type, extras);
}
