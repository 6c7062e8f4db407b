import type { Options } from 'pino-http';
import { pinoParams } from './logger';

/** The destination half of the `[options, stream]` pair nestjs-pino takes. */
function destinationOf(params: ReturnType<typeof pinoParams>): { fd: number } {
  const pair = params.pinoHttp as [Options, { fd: number }];
  return pair[1];
}

describe('pinoParams', () => {
  it('logs to stdout unless told otherwise', () => {
    expect(destinationOf(pinoParams({ level: 'info', app: 'a' })).fd).toBe(1);
    expect(destinationOf(pinoParams({ level: 'info', app: 'a', destination: 'stdout' })).fd).toBe(1);
  });

  it('logs to stderr when LOG_DESTINATION says so, keeping stdout for what a run prints', () => {
    expect(destinationOf(pinoParams({ level: 'info', app: 'a', destination: 'stderr' })).fd).toBe(2);
  });

  it('keeps credentials out of the log whatever the destination', () => {
    const [options] = pinoParams({ level: 'info', app: 'a', destination: 'stderr' }).pinoHttp as [Options, unknown];
    expect(options.redact).toMatchObject({ paths: expect.arrayContaining(['req.headers.authorization', 'req.headers.cookie']) });
  });
});
