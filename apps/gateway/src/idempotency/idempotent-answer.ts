import type { AnswerEffects } from '@passerelle/persistence';

/**
 * What an `@Idempotent()` handler answers when the body alone is not all: headers to send (and
 * replay), and what the work wrote (`effects`: rows, audit entries), committed together with the
 * kept answer. A handler may also return a bare body.
 */
export class IdempotentAnswer<T> {
  constructor(
    readonly body: T,
    readonly extras: { headers?: Record<string, string>; effects?: AnswerEffects } = {},
  ) {}
}
