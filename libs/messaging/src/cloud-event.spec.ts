import fc from 'fast-check';
import { decodeCloudEvent, encodeCloudEvent, type CloudEvent } from './cloud-event';
import { MessagingError, MessagingErrorCode } from './messaging.error';

const token = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim().length > 0);
const jsonData = fc.jsonValue().filter((v) => v !== null);

const cloudEvent: fc.Arbitrary<CloudEvent> = fc.record(
  {
    specversion: fc.constant('1.0' as const),
    id: token,
    source: token,
    type: fc.stringMatching(/^ca\.on\.passerelle\.[a-z-]{1,12}\.[a-z-]{1,12}$/),
    time: fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString()),
    subject: token,
    dataschema: fc.webUrl(),
    correlationid: token,
    causationid: token,
    partitionkey: token,
    datacontenttype: fc.constant('application/json' as const),
    data: jsonData,
  },
  { requiredKeys: ['specversion', 'id', 'source', 'type', 'datacontenttype', 'data'] },
);

function codeOf(fn: () => unknown): MessagingErrorCode | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof MessagingError) return error.code;
    throw error;
  }
  return undefined;
}

const valid = {
  ce_specversion: '1.0',
  ce_id: 'e-1',
  ce_source: '/test',
  ce_type: 'ca.on.passerelle.referral.submitted',
};

describe('CloudEvents binary-mode codec', () => {
  it('decodes exactly what it encoded, for any event', () => {
    fc.assert(
      fc.property(cloudEvent, (event) => {
        const message = encodeCloudEvent(event);
        // JSON has no -0: the data comes back as JSON would carry it.
        const expected = { ...event, data: JSON.parse(JSON.stringify(event.data)) as unknown };
        expect(decodeCloudEvent({ ...message, value: message.value })).toEqual(expected);
      }),
    );
  });

  it('keys the record by the partition key, so one client stays in order on one partition', () => {
    const message = encodeCloudEvent({
      ...decodeCloudEvent({ value: '{}', headers: valid }),
      partitionkey: 'client-7',
    });
    expect(message.key).toBe('client-7');
    expect(message.headers).toMatchObject({ 'content-type': 'application/json', ce_partitionkey: 'client-7' });
  });

  it('reads header values given as arrays or buffers', () => {
    const event = decodeCloudEvent({
      value: Buffer.from('{"a":1}'),
      headers: { ...valid, ce_id: [Buffer.from('e-9')] },
    });
    expect(event.id).toBe('e-9');
    expect(event.data).toEqual({ a: 1 });
  });

  it.each([
    ['no headers at all', { value: '{}' }, MessagingErrorCode.MissingHeader],
    [
      'specversion 0.3',
      { value: '{}', headers: { ...valid, ce_specversion: '0.3' } },
      MessagingErrorCode.UnsupportedSpecVersion,
    ],
    ['no ce_id', { value: '{}', headers: { ...valid, ce_id: '' } }, MessagingErrorCode.MissingHeader],
    [
      'no ce_source',
      { value: '{}', headers: { ce_specversion: '1.0', ce_id: 'x', ce_type: 't' } },
      MessagingErrorCode.MissingHeader,
    ],
    [
      'an XML content type',
      { value: '<a/>', headers: { ...valid, 'content-type': 'application/xml' } },
      MessagingErrorCode.UnsupportedContentType,
    ],
    [
      'a time that is no timestamp',
      { value: '{}', headers: { ...valid, ce_time: 'yesterday' } },
      MessagingErrorCode.InvalidHeader,
    ],
    ['an empty value', { value: '', headers: valid }, MessagingErrorCode.EmptyValue],
    ['a null value (tombstone)', { value: null, headers: valid }, MessagingErrorCode.EmptyValue],
    ['invalid JSON', { value: '{"a":', headers: valid }, MessagingErrorCode.InvalidJson],
  ])('rejects %s with a clear, non-retriable error', (_what, record, code) => {
    expect(codeOf(() => decodeCloudEvent(record))).toBe(code);
    try {
      decodeCloudEvent(record);
    } catch (error) {
      expect((error as MessagingError).retriable).toBe(false);
      expect((error as Error).message.length).toBeGreaterThan(10);
    }
  });

  it('never throws anything but a MessagingError on arbitrary bytes and headers', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.dictionary(
          fc.constantFrom('ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_time', 'content-type', 'x'),
          fc.string(),
        ),
        (bytes, headers) => {
          try {
            decodeCloudEvent({ value: Buffer.from(bytes), headers });
          } catch (error) {
            expect(error).toBeInstanceOf(MessagingError);
          }
        },
      ),
    );
  });
});
