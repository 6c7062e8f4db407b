import { schemaIdForPath } from '@passerelle/contracts';
import { parseCsvHeader, parseCsvRow, splitCsvLine, type CsvColumn } from './csv-record';
import { SchemaFieldTypes } from './schema-field-types';

const fieldTypes = new SchemaFieldTypes(schemaIdForPath('sources/ow-case-record.json'));
const columnsOf = (header: string): readonly CsvColumn[] => {
  const parsed = parseCsvHeader(header, fieldTypes);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.columns;
};

describe('CSV rows of OW case records', () => {
  it('splits quoted cells, doubled quotes and commas inside quotes', () => {
    expect(splitCsvLine('a,"b,c","say ""hi""",,"{""x"":[1,2]}"')).toEqual({
      ok: true,
      cells: ['a', 'b,c', 'say "hi"', '', '{"x":[1,2]}'],
    });
  });

  it.each([
    ['a quote inside an unquoted cell closing wrongly', 'a,"b"c,d', 'Invalid Closing Quote'],
    ['an unclosed quote', 'a,"b,c', 'Quote Not Closed'],
  ])('rejects bad quoting: %s', (_name, text, message) => {
    const split = splitCsvLine(text);
    expect(split.ok).toBe(false);
    if (!split.ok) {
      expect(split.error).toMatchObject({ pointer: '', code: 'csv' });
      expect(split.error.message).toContain(message);
      expect(split.error.message).not.toContain('at line 1');
    }
  });

  it('maps dotted-path columns to the nested record, typed by the schema, JSON text for arrays and objects', () => {
    const columns = columnsOf(
      'sourceRecordId,recordVersion,personal.name.givenName,personal.name.familyName,personal.memberId,deliveryAgent,activities,exit.exitedOn',
    );
    expect(columns.map((c) => [c.pointer, c.type])).toEqual([
      ['/sourceRecordId', 'string'],
      ['/recordVersion', 'integer'],
      ['/personal/name/givenName', 'string'],
      ['/personal/name/familyName', 'string'],
      ['/personal/memberId', 'string'],
      ['/deliveryAgent', 'object'],
      ['/activities', 'array'],
      ['/exit/exitedOn', 'string'],
    ]);
    const row = 'OW-1,3,Éloïse,Côté-Tremblay,0500100200,"{""code"":""toronto""}","[{""activityId"":""A1""}]",';
    expect(parseCsvRow(row, columns)).toEqual({
      ok: true,
      value: {
        sourceRecordId: 'OW-1',
        recordVersion: 3,
        personal: { name: { givenName: 'Éloïse', familyName: 'Côté-Tremblay' }, memberId: '0500100200' },
        deliveryAgent: { code: 'toronto' },
        activities: [{ activityId: 'A1' }],
      },
    });
  });

  it('leaves a number cell that is not a number as text, for the schema to refuse', () => {
    expect(parseCsvRow('two', columnsOf('recordVersion'))).toEqual({ ok: true, value: { recordVersion: 'two' } });
  });

  it('rejects a JSON cell that is not JSON, naming its field, and a row with the wrong cell count', () => {
    const columns = columnsOf('sourceRecordId,activities');
    expect(parseCsvRow('OW-1,[oops', columns)).toEqual({
      ok: false,
      errors: [
        {
          pointer: '/activities',
          code: 'json',
          message: expect.stringContaining('column "activities" is not JSON text'),
        },
      ],
    });
    expect(parseCsvRow('OW-1', columns)).toEqual({
      ok: false,
      errors: [{ pointer: '', code: 'csv', message: 'has 1 cells where the header has 2' }],
    });
  });

  it('refuses a header naming unknown fields, paths into arrays, duplicates or overlapping columns', () => {
    const parsed = parseCsvHeader(
      'sourceRecordId,nickname,activities.0.activityCode,sourceRecordId,personal.name,personal.name.givenName,a..b',
      fieldTypes,
    );
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.errors.map((e) => e.message)).toEqual([
        'column 2 ("nickname") names no field of the record',
        'column 3 ("activities.0.activityCode") names no field of the record',
        'column 4 ("sourceRecordId") appears twice',
        'column 7 ("a..b") is not a dotted field path',
        'column "personal.name" holds the whole field, so column "personal.name.givenName" cannot be used too',
      ]);
      expect(parsed.errors.every((e) => e.code === 'csv-header')).toBe(true);
    }
  });
});
