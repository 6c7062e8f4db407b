import { microsOf } from './ledger-keys';

describe('ledger keys', () => {
  describe('microsOf', () => {
    it('reads RFC 3339 times to the microsecond, whatever the offset', () => {
      expect(microsOf('2025-09-15T10:00:00.000001Z') - microsOf('2025-09-15T10:00:00Z')).toBe(1);
      expect(microsOf('2025-09-15T06:00:00.5-04:00')).toBe(microsOf('2025-09-15T10:00:00.500000Z'));
      expect(microsOf('2025-09-15T10:00:00.0000004Z')).toBe(microsOf('2025-09-15T10:00:00Z'));
      expect(microsOf('2025-09-15')).toBe(Date.parse('2025-09-15') * 1000);
      expect(() => microsOf('not a time')).toThrow(/not a date-time/);
    });
  });
});
