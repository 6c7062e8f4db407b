/**
 * Settings come from the environment and are validated once at start: a wrong or missing setting
 * stops the process with a message naming it, instead of failing later at first use.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

interface Setting<T> {
  /** Environment variable name. */
  name: string;
  /** What it means, for the README table and error messages. */
  description: string;
  /** Used when unset; absent means required. */
  default?: string;
  parse: (raw: string) => T;
}

/** A key given as hex or base64 (not empty), checked for its size. */
function secretKeyOf(raw: string, bytes: number, exact: boolean): Buffer {
  const key = /^[0-9a-f]+$/i.test(raw) && raw.length % 2 === 0 ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (exact ? key.length !== bytes : key.length < bytes) {
    throw new Error(`must hold ${exact ? 'exactly' : 'at least'} ${bytes} bytes (hex or base64), has ${key.length}`);
  }
  return key;
}

export const parsers = {
  /**
   * A secret key given as hex or base64, empty for none: `bytes` long at least, or exactly when
   * `exact` (a cipher's key has one size).
   */
  secretKey:
    (bytes: number, exact = false) =>
    (raw: string): Buffer | undefined =>
      raw === '' ? undefined : secretKeyOf(raw, bytes, exact),
  /** Several such keys, comma-separated; empty for none. */
  secretKeys:
    (bytes: number, exact = false) =>
    (raw: string): Buffer[] => {
      return raw
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean)
        .map((part, n) => {
          try {
            return secretKeyOf(part, bytes, exact);
          } catch (error) {
            throw new Error(`key ${n + 1} ${(error as Error).message}`, { cause: error });
          }
        });
    },
  string: (raw: string): string => {
    if (raw.trim() === '') throw new Error('must not be empty');
    return raw;
  },
  port: (raw: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 0 || n > 65535) throw new Error(`"${raw}" is not a TCP port (0-65535)`);
    return n;
  },
  positiveInt: (raw: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 1) throw new Error(`"${raw}" is not a positive integer`);
    return n;
  },
  brokers: (raw: string): string[] => {
    const list = raw
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean);
    if (list.length === 0) throw new Error('must list at least one host:port');
    for (const b of list) {
      if (!/^[^\s:]+:\d{1,5}$/.test(b)) throw new Error(`"${b}" is not host:port`);
    }
    return list;
  },
  postgresUrl: (raw: string): string => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error(`"${raw}" is not a URL`);
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      throw new Error(`"${url.protocol}" is not postgres: or postgresql:`);
    }
    return raw;
  },
  identifier: (raw: string): string => {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(raw)) throw new Error(`"${raw}" is not a lower-case SQL identifier`);
    return raw;
  },
  /** One of a fixed set of words. */
  oneOf:
    <const V extends string>(values: readonly V[]) =>
    (raw: string): V => {
      const value = values.find((v) => v === raw);
      if (value === undefined) throw new Error(`"${raw}" is not one of ${values.join(', ')}`);
      return value;
    },
};

export function setting<T>(s: Setting<T>): Setting<T> {
  return s;
}

type Spec = Record<string, Setting<unknown>>;
export type ConfigOf<S extends Spec> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

/** Reads every setting of `spec`, collecting all problems before failing. */
export function loadConfig<S extends Spec>(spec: S, env: Env = process.env): ConfigOf<S> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(spec)) {
    const raw = env[s.name] ?? s.default;
    if (raw === undefined) {
      problems.push(`${s.name} is required (${s.description})`);
      continue;
    }
    try {
      out[key] = s.parse(raw);
    } catch (error) {
      problems.push(`${s.name}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}
