import { isRetriable } from './consumer-runner';
import { MessagingError, MessagingErrorCode } from './messaging.error';

describe('isRetriable', () => {
  it('retries plain errors (a database blip may pass)', () => {
    expect(isRetriable(new Error('connection reset'))).toBe(true);
    expect(isRetriable('a string')).toBe(true);
  });
  it('does not retry what cannot get better: bad bytes, a missing handler, errors marked retriable=false', () => {
    expect(isRetriable(new MessagingError(MessagingErrorCode.InvalidJson, 'x'))).toBe(false);
    expect(isRetriable(new MessagingError(MessagingErrorCode.NoHandler, 'x'))).toBe(false);
    expect(isRetriable(Object.assign(new Error('unmapped code'), { retriable: false }))).toBe(false);
    expect(isRetriable(new MessagingError(MessagingErrorCode.HandlerFailed, 'x'))).toBe(true);
  });
});
