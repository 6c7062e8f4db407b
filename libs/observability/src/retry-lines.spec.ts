import { failureLine, recoveryLine } from './retry-lines';

describe('retry log lines', () => {
  it('words the log lines with the count only when it says something', () => {
    expect(failureLine('outbox relay', new Error('connection refused'), 1)).toBe(
      'outbox relay failed, retrying: Error: connection refused',
    );
    expect(failureLine('outbox relay', new Error('connection refused'), 8)).toBe(
      'outbox relay failed 8 times in a row, retrying: Error: connection refused',
    );
    expect(recoveryLine('outbox relay', 1)).toBe('outbox relay works again after 1 failed attempt');
    expect(recoveryLine('outbox relay', 12)).toBe('outbox relay works again after 12 failed attempts');
  });
});
