import type { Options } from 'pino-http';
import { pinoParams } from './logger';

describe('pinoParams', () => {
  it('leaves the stream to pino unless told otherwise: its default, stdout', () => {
    for (const params of [
      pinoParams({ level: 'info', app: 'a' }),
      pinoParams({ level: 'info', app: 'a', destination: 'stdout' }),
    ]) {
      expect(Array.isArray(params.pinoHttp)).toBe(false);
      expect(params.pinoHttp).toMatchObject({ level: 'info', base: { app: 'a' } });
    }
  });

  it('logs to stderr when LOG_DESTINATION says so, keeping stdout for what a run prints', () => {
    const [options, stream] = pinoParams({ level: 'warn', app: 'a', destination: 'stderr' }).pinoHttp as [
      Options,
      { fd: number },
    ];
    expect(stream.fd).toBe(2);
    expect(options).toMatchObject({ level: 'warn', base: { app: 'a' } });
  });

  it('keeps credentials out of the log whatever the destination', () => {
    const [options] = pinoParams({ level: 'info', app: 'a', destination: 'stderr' }).pinoHttp as [Options, unknown];
    const plain = pinoParams({ level: 'info', app: 'a' }).pinoHttp as Options;
    for (const o of [options, plain]) {
      expect(o.redact).toMatchObject({
        paths: expect.arrayContaining(['req.headers.authorization', 'req.headers.cookie']),
      });
    }
  });
});
