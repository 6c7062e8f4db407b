import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/** What is kept of an app's output for error messages (the whole of it goes to `logFile`). */
const TAIL_CHARS = 8_000;

export interface AppExit {
  app: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The test asked for it (kill, stop); otherwise the process died on its own. */
  expected: boolean;
  at: Date;
  /** The end of what it printed before exiting. */
  tail: string;
}

export interface AppProcessOptions {
  /** Folder under apps/ (`gateway`, `referral-tracker`, ...): runs `apps/<app>/src/main.ts`. */
  app: string;
  env: Record<string, string>;
  /** Printed once the app is up (an event app's `consuming `, the gateway's `listening`). */
  readyLine: string;
  startTimeoutMs?: number;
  /** Every run's output is appended here (for a failing run's post-mortem). */
  logFile?: string;
  /** Called when the process exits without having been asked to. */
  onUnexpectedExit?: (exit: AppExit) => void;
}

/**
 * An app as it runs in production: its own Node process from its `main.ts` (TypeScript through
 * scripts/register-ts.cjs), settings from the environment. Unlike an app started in the test's
 * process, it can be SIGKILLed like a crashed container, and started again on the same state.
 */
export class AppProcess {
  readonly name: string;
  /** Every exit, asked for or not, oldest first. */
  readonly exits: AppExit[] = [];
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private expectingExit = false;
  private starting?: Promise<void>;
  private tail = '';
  private log?: WriteStream;

  constructor(private readonly options: AppProcessOptions) {
    this.name = options.app;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Exits the test did not ask for. */
  get unexpectedExits(): AppExit[] {
    return this.exits.filter((e) => !e.expected);
  }

  /** Spawns the app and resolves once it printed its ready line; rejects if it exits or is late. */
  start(): Promise<void> {
    // Two callers (the test, a restart after a crash) share one start.
    this.starting ??= this.spawnAndWait().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async spawnAndWait(): Promise<void> {
    if (this.running) return;
    const { app, env, readyLine, startTimeoutMs = 90_000, logFile } = this.options;
    if (logFile !== undefined && this.log === undefined) {
      mkdirSync(dirname(logFile), { recursive: true });
      this.log = createWriteStream(logFile, { flags: 'a' });
    }
    this.expectingExit = false;
    this.tail = '';
    const child = spawn(
      process.execPath,
      ['-r', join(ROOT, 'scripts', 'register-ts.cjs'), join(ROOT, 'apps', app, 'src', 'main.ts')],
      { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    this.log?.write(`\n===== ${new Date().toISOString()} start ${app} (pid ${String(child.pid)})\n`);

    let seen = '';
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    const onOutput = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      this.log?.write(text);
      this.tail = (this.tail + text).slice(-TAIL_CHARS);
      // The line may straddle two chunks: look in the end of what came before too.
      seen = (seen + text).slice(-(readyLine.length + text.length));
      if (seen.includes(readyLine)) ready();
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    this.exited = new Promise<void>((resolve) =>
      child.once('exit', (code, signal) => {
        const exit = { app, code, signal, expected: this.expectingExit, at: new Date(), tail: this.tail };
        this.exits.push(exit);
        this.log?.write(`\n===== ${exit.at.toISOString()} exit ${app} code=${String(code)} signal=${String(signal)}\n`);
        resolve();
        if (!exit.expected) this.options.onUnexpectedExit?.(exit);
      }),
    );

    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      isReady.then(() => 'ready' as const),
      this.exited.then(() => 'exited' as const),
      new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), startTimeoutMs))),
    ]);
    clearTimeout(timer);
    if (outcome === 'exited') throw new Error(`${app} exited during start-up: ${this.tail.slice(-2_000)}`);
    if (outcome === 'late') {
      await this.kill();
      throw new Error(`${app} did not print "${readyLine}" within ${startTimeoutMs} ms: ${this.tail.slice(-2_000)}`);
    }
  }

  /** SIGKILL: no draining, no shutdown hooks, like a crash or an OOM kill. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM (the app drains), then SIGKILL if it is still there after `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<void> {
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    try {
      await this.signal('SIGTERM');
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the log file (after the last stop). */
  async dispose(): Promise<void> {
    const log = this.log;
    this.log = undefined;
    if (log) await new Promise<void>((resolve) => log.end(() => resolve()));
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    if (!this.running) return;
    this.expectingExit = true;
    this.child?.kill(signal);
    await this.exited;
  }
}
