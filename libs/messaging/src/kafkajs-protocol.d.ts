// kafkajs' protocol modules ship no type declarations; kafkajs-record-codec.spec.ts loads them to
// pin the wire format of the patched record encoder and decoder. Only the shapes it uses.
declare module 'kafkajs/src/protocol/recordBatch/record/v0' {
  const Record: (record: {
    offsetDelta: number;
    timestampDelta: number;
    key: Buffer | string | null;
    value: Buffer | string | null;
    headers: Record<string, Buffer | string | Array<Buffer | string>>;
  }) => { buffer: Buffer };
  export = Record;
}

declare module 'kafkajs/src/protocol/recordBatch/v0' {
  export const RecordBatch: (batch: {
    firstOffset: number;
    firstTimestamp: number;
    maxTimestamp: number;
    lastOffsetDelta: number;
    records: Array<{ buffer: Buffer }>;
  }) => Promise<{ buffer: Buffer }>;
}

declare module 'kafkajs/src/protocol/recordBatch/v0/decoder' {
  const decodeRecordBatch: (decoder: unknown) => Promise<{
    records: Array<{
      offset: string;
      timestamp: string;
      key: Buffer | null;
      value: Buffer | null;
      headers: Record<string, Buffer | Buffer[]>;
    }>;
  }>;
  export = decodeRecordBatch;
}

declare module 'kafkajs/src/protocol/decoder' {
  const Decoder: new (buffer: Buffer) => unknown;
  export = Decoder;
}
