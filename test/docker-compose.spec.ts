/**
 * Structural checks of the Docker deployment (docker-compose.yml, Dockerfile, .dockerignore).
 * No Docker engine runs here, so nothing is started: the files are parsed and checked against
 * what the repository says — the apps under apps/, the settings in libs/config, the build's
 * tsconfig. The validators return a list of problems; the failure-path tests feed them broken
 * copies to prove they notice.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import * as ts from 'typescript';
import { parse as parseYaml } from 'yaml';
import * as config from '@passerelle/config';
import { databaseSettings, httpSettings, kafkaSettings, processSettings } from '@passerelle/config';

const ROOT = resolve(__dirname, '..');

/** The apps DESIGN.md ("Shape") lists, plus the webhook dispatcher (status webhooks, issue D); used only while apps/ holds none yet. */
const DESIGN_APPS = ['gateway', 'ow-adapter', 'eo-adapter', 'referral-tracker', 'webhook-dispatcher'];
/** Apps that legitimately have no service of their own (every app in one process, for a laptop). */
const APPS_WITHOUT_SERVICE = ['standalone'];
const HTTP_APP = 'gateway';
const READY_PATH = '/v1/health/ready';

// ------------------------------------------------------------------------------------------------
// Context: what the repository says
// ------------------------------------------------------------------------------------------------

interface SettingLike {
  name: string;
  default?: string;
  parse: (raw: string) => unknown;
}

function isSetting(value: unknown): value is SettingLike {
  const v = value as Partial<SettingLike> | null;
  return typeof v === 'object' && v !== null && typeof v.name === 'string' && typeof v.parse === 'function';
}

/**
 * Every setting an app reads: the four shared groups, plus any other settings group
 * `@passerelle/config` exports (so a group added later is known without editing this test).
 */
function knownSettings(): Map<string, SettingLike> {
  const groups: unknown[] = [kafkaSettings, databaseSettings, processSettings, httpSettings, ...Object.values(config)];
  const byName = new Map<string, SettingLike>();
  for (const group of groups) {
    if (typeof group !== 'object' || group === null) continue;
    for (const entry of Object.values(group)) if (isSetting(entry)) byName.set(entry.name, entry);
  }
  return byName;
}

/** Directories of apps/ that hold a `src/main.ts`. */
function appsOnDisk(): string[] {
  const appsDir = join(ROOT, 'apps');
  if (!existsSync(appsDir)) return [];
  return readdirSync(appsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(appsDir, d.name, 'src', 'main.ts')))
    .map((d) => d.name)
    .sort();
}

interface ComposeContext {
  /** App names (directories of apps/ with a src/main.ts). */
  apps: string[];
  /** Apps allowed to have no service. */
  appsWithoutService: string[];
  /** Setting name -> setting, from libs/config. */
  settings: Map<string, SettingLike>;
}

// ------------------------------------------------------------------------------------------------
// Small helpers over compose values
// ------------------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A YAML value as text: a scalar as written, a mapping or list as JSON (never `[object Object]`). */
function scalarText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** Compose interpolation with defaults: `${X:-d}` / `${X-d}` -> d, `$$` -> `$`; undefined when a variable has no default. */
function interpolate(raw: string): string | undefined {
  const unresolved: string[] = [];
  const out = raw.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?(?::?[?+][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match: string, name?: string, op?: string, def?: string) => {
      if (match === '$$') return '$';
      if (name !== undefined && op !== undefined) return def ?? '';
      unresolved.push(match);
      return match;
    },
  );
  return unresolved.length > 0 ? undefined : out;
}

/** A service's environment as name -> value (null: passed through from the host). */
function environmentOf(service: Obj): Map<string, string | null> {
  const env = new Map<string, string | null>();
  const raw = service.environment;
  if (Array.isArray(raw)) {
    for (const item of raw) {
      const text = String(item);
      const eq = text.indexOf('=');
      if (eq === -1) env.set(text, null);
      else env.set(text.slice(0, eq), text.slice(eq + 1));
    }
  } else if (isObj(raw)) {
    for (const [k, v] of Object.entries(raw)) env.set(k, v === null || v === undefined ? null : scalarText(v));
  }
  return env;
}

function commandTokens(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') return value.trim().split(/\s+/);
  return [];
}

function dependsOn(service: Obj): Map<string, string | undefined> {
  const deps = new Map<string, string | undefined>();
  const raw = service.depends_on;
  if (Array.isArray(raw)) for (const name of raw) deps.set(String(name), undefined);
  else if (isObj(raw))
    for (const [name, spec] of Object.entries(raw))
      deps.set(name, isObj(spec) ? scalarText(spec.condition ?? 'service_started') : undefined);
  return deps;
}

/** Container ports a service publishes (short and long syntax). */
function containerPorts(service: Obj): string[] {
  const raw = service.ports;
  if (!Array.isArray(raw)) return [];
  return raw.map((p) => {
    if (isObj(p)) return String(p.target);
    const text = interpolate(String(p)) ?? String(p);
    return (
      text
        .replace(/\/(tcp|udp|sctp)$/, '')
        .split(':')
        .pop() ?? ''
    );
  });
}

/** Compose duration ("40s", "1m30s", "500ms") in ms; NaN when unreadable. */
function durationMs(value: unknown): number {
  if (typeof value === 'number') return value / 1e6; // plain numbers are nanoseconds
  if (typeof value !== 'string' || !/^(\d+(\.\d+)?(h|m|s|ms|us|ns))+$/.test(value)) return NaN;
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 1e-3, ns: 1e-6 };
  let total = 0;
  for (const [, n, , u] of value.matchAll(/(\d+(\.\d+)?)(h|m|s|ms|us|ns)/g)) total += Number(n) * unit[u];
  return total;
}

function healthcheckText(service: Obj): string | undefined {
  const hc = service.healthcheck;
  if (!isObj(hc) || hc.disable === true) return undefined;
  const test = hc.test;
  if (Array.isArray(test) && test.length > 1 && test[0] !== 'NONE') return test.slice(1).map(String).join(' ');
  if (typeof test === 'string' && test.trim() !== '') return test;
  return undefined;
}

/** `NAME://host:port` list -> name -> { host, port }. */
function listeners(value: string | null | undefined): Map<string, { host: string; port: string }> {
  const out = new Map<string, { host: string; port: string }>();
  for (const entry of (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z0-9_]+):\/\/(.*):(\d+)$/.exec(entry);
    if (m) out.set(m[1], { host: m[2], port: m[3] });
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// docker-compose.yml
// ------------------------------------------------------------------------------------------------

function validateCompose(doc: unknown, ctx: ComposeContext): string[] {
  const problems: string[] = [];
  if (!isObj(doc)) return ['the document is not a mapping'];
  if ('version' in doc) problems.push('top-level `version` is obsolete in the Compose spec: remove it');
  if (!isObj(doc.services)) return [...problems, 'no `services` mapping'];
  const services = doc.services as Record<string, unknown>;
  const service = (name: string): Obj | undefined => (isObj(services[name]) ? services[name] : undefined);
  const declaredVolumes = isObj(doc.volumes) ? Object.keys(doc.volumes) : [];

  // every service: depends_on targets exist; named volumes are declared
  for (const [name, raw] of Object.entries(services)) {
    if (!isObj(raw)) {
      problems.push(`service ${name} is not a mapping`);
      continue;
    }
    for (const [target, condition] of dependsOn(raw)) {
      const dep = service(target);
      if (!dep) problems.push(`service ${name} depends on ${target}, which is not a service`);
      else if (condition === 'service_healthy' && !healthcheckText(dep)) {
        problems.push(`service ${name} waits for ${target} to be healthy, but ${target} has no healthcheck`);
      }
    }
    for (const volume of Array.isArray(raw.volumes) ? raw.volumes : []) {
      const source = isObj(volume)
        ? volume.type === 'volume'
          ? scalarText(volume.source)
          : ''
        : String(volume).split(':')[0];
      if (source && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(source) && !declaredVolumes.includes(source)) {
        problems.push(`service ${name} mounts volume ${source}, which is not declared under top-level volumes`);
      }
    }
  }

  // kafka: official image, single-node KRaft
  const kafka = service('kafka');
  const advertised = new Set<string>();
  if (!kafka) problems.push('no `kafka` service');
  else {
    if (!/^apache\/kafka:\d+\.\d+\.\d+/.test(scalarText(kafka.image))) {
      problems.push(`kafka image is ${String(kafka.image)}; expected the official apache/kafka:<version>`);
    }
    const env = environmentOf(kafka);
    const roles = (env.get('KAFKA_PROCESS_ROLES') ?? '').split(',').map((r) => r.trim());
    if (!roles.includes('broker') || !roles.includes('controller')) {
      problems.push(
        `kafka KAFKA_PROCESS_ROLES is "${env.get('KAFKA_PROCESS_ROLES') ?? ''}"; a single KRaft node needs broker,controller`,
      );
    }
    const nodeId = env.get('KAFKA_NODE_ID');
    if (!nodeId || !/^\d+$/.test(nodeId)) problems.push('kafka has no numeric KAFKA_NODE_ID');
    const declared = listeners(env.get('KAFKA_LISTENERS'));
    if (declared.size === 0) problems.push('kafka has no KAFKA_LISTENERS');
    const voters = (env.get('KAFKA_CONTROLLER_QUORUM_VOTERS') ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    if (voters.length === 0) problems.push('kafka has no KAFKA_CONTROLLER_QUORUM_VOTERS');
    const controllerNames = (env.get('KAFKA_CONTROLLER_LISTENER_NAMES') ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    if (controllerNames.length === 0) problems.push('kafka has no KAFKA_CONTROLLER_LISTENER_NAMES');
    for (const cn of controllerNames) {
      const listener = declared.get(cn);
      if (!listener) {
        problems.push(`kafka controller listener ${cn} is not in KAFKA_LISTENERS`);
        continue;
      }
      for (const voter of voters) {
        const m = /^(\d+)@([^:]+):(\d+)$/.exec(voter);
        if (!m) problems.push(`kafka quorum voter "${voter}" is not id@host:port`);
        else if (m[3] !== listener.port)
          problems.push(`kafka quorum voter ${voter} does not use the controller listener port ${listener.port}`);
      }
    }
    if (nodeId && voters.length > 0 && !voters.some((v) => v.startsWith(`${nodeId}@`))) {
      problems.push(`kafka node ${nodeId} is not among its own quorum voters (${voters.join(',')})`);
    }
    const protocolMap = new Set(
      (env.get('KAFKA_LISTENER_SECURITY_PROTOCOL_MAP') ?? '')
        .split(',')
        .map((p) => p.split(':')[0].trim())
        .filter(Boolean),
    );
    const advertisedListeners = listeners(env.get('KAFKA_ADVERTISED_LISTENERS'));
    for (const name of new Set([...declared.keys(), ...advertisedListeners.keys()])) {
      if (!protocolMap.has(name) && !['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(name)) {
        problems.push(`kafka listener ${name} has no entry in KAFKA_LISTENER_SECURITY_PROTOCOL_MAP`);
      }
    }
    for (const [name, a] of advertisedListeners) {
      if (!declared.has(name)) problems.push(`kafka advertises listener ${name}, which is not in KAFKA_LISTENERS`);
      if (controllerNames.includes(name)) problems.push(`kafka advertises its controller listener ${name}`);
      advertised.add(`${a.host}:${a.port}`);
    }
    const interBroker = env.get('KAFKA_INTER_BROKER_LISTENER_NAME');
    if (interBroker && !advertisedListeners.has(interBroker)) {
      problems.push(`kafka inter-broker listener ${interBroker} is not advertised`);
    }
    const clusterId = env.get('CLUSTER_ID');
    if (clusterId !== undefined && !/^[A-Za-z0-9_-]{22}$/.test(clusterId ?? '')) {
      problems.push(`kafka CLUSTER_ID "${clusterId}" is not a base64url-encoded UUID (22 characters)`);
    }
    if (env.get('KAFKA_AUTO_CREATE_TOPICS_ENABLE') !== 'false') {
      problems.push('kafka must set KAFKA_AUTO_CREATE_TOPICS_ENABLE=false (the apps create their topics)');
    }
    if (!healthcheckText(kafka)) problems.push('kafka has no healthcheck');
  }

  // postgres
  const postgres = service('postgres');
  const pgEnv = postgres ? environmentOf(postgres) : new Map<string, string | null>();
  if (!postgres) problems.push('no `postgres` service');
  else {
    if (!/^postgres:/.test(scalarText(postgres.image)))
      problems.push(`postgres image is ${String(postgres.image)}; expected postgres:<version>`);
    if (!healthcheckText(postgres)) problems.push('postgres has no healthcheck');
  }

  // app services: those built from the Dockerfile, or running something under dist/apps/
  const appServices = Object.entries(services).filter(
    (entry): entry is [string, Obj] =>
      isObj(entry[1]) &&
      ('build' in entry[1] || commandTokens(entry[1].command).some((t) => t.startsWith('dist/apps/'))),
  );
  const runBy = new Map<string, string[]>();
  for (const [name, svc] of appServices) {
    const tokens = commandTokens(svc.command);
    const main = tokens.map((t) => /^dist\/apps\/([^/]+)\/src\/main\.js$/.exec(t)).find(Boolean);
    if (tokens[0] !== 'node' || !main) {
      problems.push(
        `service ${name}: command ${JSON.stringify(svc.command ?? null)} is not ["node", "dist/apps/<app>/src/main.js"]`,
      );
      continue;
    }
    const app = main[1];
    runBy.set(app, [...(runBy.get(app) ?? []), name]);
    if (!ctx.apps.includes(app))
      problems.push(`service ${name} runs dist/apps/${app}/src/main.js, but apps/${app}/src/main.ts does not exist`);
    if (name !== app) problems.push(`service ${name} runs app ${app}; name the service after its app`);

    // environment: known settings, with values those settings accept
    const env = environmentOf(svc);
    for (const [variable, value] of env) {
      const known = ctx.settings.get(variable);
      if (!known) {
        problems.push(`service ${name} sets ${variable}, which is not a setting defined in libs/config`);
        continue;
      }
      const resolved = value === null ? undefined : interpolate(value);
      if (resolved === undefined) continue;
      try {
        known.parse(resolved);
      } catch (error) {
        problems.push(
          `service ${name}: ${variable}="${resolved}" is refused by libs/config: ${(error as Error).message}`,
        );
      }
    }
    const setting = (variable: string): string | undefined =>
      interpolate(env.get(variable) ?? '') || ctx.settings.get(variable)?.default;

    // the broker and database it is pointed at are the ones in this stack
    for (const broker of (setting('KAFKA_BROKERS') ?? '')
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean)) {
      if (kafka && !advertised.has(broker))
        problems.push(
          `service ${name}: KAFKA_BROKERS entry ${broker} is not a listener kafka advertises (${[...advertised].join(', ')})`,
        );
    }
    const dbUrl = setting('DATABASE_URL');
    if (postgres && dbUrl) {
      try {
        const url = new URL(dbUrl);
        if (!service(url.hostname))
          problems.push(`service ${name}: DATABASE_URL host ${url.hostname} is not a service`);
        const db = url.pathname.replace(/^\//, '');
        const wantDb =
          interpolate(pgEnv.get('POSTGRES_DB') ?? '') || interpolate(pgEnv.get('POSTGRES_USER') ?? '') || 'postgres';
        if (db !== wantDb)
          problems.push(`service ${name}: DATABASE_URL names database ${db}, postgres creates ${wantDb}`);
        const wantUser = interpolate(pgEnv.get('POSTGRES_USER') ?? '') || 'postgres';
        if (decodeURIComponent(url.username) !== wantUser)
          problems.push(`service ${name}: DATABASE_URL user ${url.username} is not POSTGRES_USER ${wantUser}`);
      } catch {
        /* an unparsable URL is reported by the setting's own parser above */
      }
    }

    // waits for healthy infrastructure; restarts; drains on SIGTERM; scalable
    const deps = dependsOn(svc);
    for (const infra of ['kafka', 'postgres']) {
      if (deps.get(infra) !== 'service_healthy')
        problems.push(`service ${name} must depend on ${infra} with condition service_healthy`);
    }
    if (!['unless-stopped', 'always', 'on-failure'].includes(scalarText(svc.restart))) {
      problems.push(`service ${name} has no restart policy (restart: unless-stopped)`);
    }
    const grace = durationMs(svc.stop_grace_period);
    const drain = Number(setting('SHUTDOWN_TIMEOUT_MS'));
    if (!(grace > drain)) {
      problems.push(
        `service ${name}: stop_grace_period ${String(svc.stop_grace_period)} must exceed SHUTDOWN_TIMEOUT_MS (${drain} ms) so SIGTERM can drain`,
      );
    }
    if ('container_name' in svc) problems.push(`service ${name} sets container_name, which prevents scaling it`);

    // HTTP: publishes the port it listens on; ready-checked
    if (app === HTTP_APP) {
      const port = setting('PORT') ?? '';
      const published = containerPorts(svc);
      if (!published.includes(port))
        problems.push(
          `service ${name} listens on PORT ${port} but publishes container port(s) ${published.join(', ') || 'none'}`,
        );
      const hc = healthcheckText(svc);
      if (!hc || !hc.includes(READY_PATH)) problems.push(`service ${name} has no healthcheck on ${READY_PATH}`);
      else {
        const hcPort = new RegExp(`:(\\d+)${READY_PATH.replace(/\//g, '\\/')}`).exec(hc)?.[1];
        if (hcPort !== port)
          problems.push(`service ${name}: healthcheck calls port ${hcPort ?? '?'}, the app listens on ${port}`);
      }
    } else if (containerPorts(svc).length > 0) {
      problems.push(`service ${name} publishes host ports, which prevents scaling it`);
    }
  }

  // exactly one service per app
  for (const app of ctx.apps) {
    const by = runBy.get(app) ?? [];
    if (by.length === 0 && !ctx.appsWithoutService.includes(app))
      problems.push(`app ${app} (apps/${app}/src/main.ts) has no service`);
    if (by.length > 1) problems.push(`app ${app} is run by several services: ${by.join(', ')}`);
  }
  return problems;
}

// ------------------------------------------------------------------------------------------------
// Dockerfile and .dockerignore
// ------------------------------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\r?\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const parts = args.split(/\s+/).filter((p) => !p.startsWith('--'));
      stages.push({ image: parts[0], name: /^as$/i.test(parts[1] ?? '') ? parts[2] : undefined, instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push({ keyword: upper, args });
    }
  }
  return stages;
}

function copyArgs(args: string): { from?: string; sources: string[]; dest: string } {
  const flags = args.match(/--\S+/g) ?? [];
  const rest = args.replace(/--\S+\s*/g, '').trim();
  const paths: string[] = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
  const from = flags.map((f) => /^--from=(.+)$/.exec(f)?.[1]).find(Boolean);
  return { from, sources: paths.slice(0, -1), dest: paths[paths.length - 1] ?? '' };
}

function validateDockerfile(text: string): string[] {
  const problems: string[] = [];
  const stages = parseDockerfile(text);
  if (stages.length < 2) return ['the Dockerfile is not multi-stage (a build stage and a runtime stage)'];
  const names = stages.map((s) => s.name).filter(Boolean);
  for (const stage of stages) {
    if (!names.includes(stage.image) && !/^node:20(\.\d+)*-bookworm-slim(@sha256:[0-9a-f]{64})?$/.test(stage.image)) {
      problems.push(`stage ${stage.name ?? stage.image} is FROM ${stage.image}; expected node:20-bookworm-slim`);
    }
  }
  const runtime = stages[stages.length - 1];
  const earlierRuns = stages
    .slice(0, -1)
    .flatMap((s) => s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args))
    .join('\n');
  if (!/\bnpm ci\b/.test(earlierRuns)) problems.push('no build stage runs `npm ci`');
  if (!/\bnpm run build\b/.test(earlierRuns)) problems.push('no build stage runs `npm run build`');
  if (!/\bnpm (prune|ci)\b[^\n]*--omit[= ]dev/.test(earlierRuns))
    problems.push('no build stage keeps production dependencies only (`npm prune --omit=dev`)');

  let workdir = '/';
  const copied = new Map<string, string>(); // what (basename of source) -> absolute destination
  let user: string | undefined;
  let nodeEnv: string | undefined;
  for (const { keyword, args } of runtime.instructions) {
    if (keyword === 'WORKDIR') workdir = posix.resolve(workdir, args);
    if (keyword === 'USER') user = args.split(':')[0];
    if (keyword === 'ENV') {
      const m = /(?:^|\s)NODE_ENV(?:=|\s+)"?([^"\s]+)"?/.exec(args);
      if (m) nodeEnv = m[1];
    }
    if (keyword === 'COPY') {
      const { from, sources, dest } = copyArgs(args);
      if (!from) continue;
      for (const source of sources) {
        const what = posix.basename(source.replace(/\/+$/, ''));
        const target = posix.resolve(workdir, dest);
        copied.set(what, sources.length > 1 || dest.endsWith('/') ? posix.join(target, what) : target);
      }
    }
    if ((keyword === 'CMD' || keyword === 'ENTRYPOINT') && /dist\/apps\/[\w.-]+\/src\/main\.js/.test(args)) {
      problems.push(`the runtime stage's ${keyword} starts an app; each service chooses its app`);
    }
  }
  if (user !== 'node' && user !== '1000')
    problems.push(`the runtime stage runs as ${user ?? 'root'}; expected USER node`);
  if (nodeEnv !== 'production') problems.push('the runtime stage does not set ENV NODE_ENV=production');
  for (const what of ['dist', 'schemas', 'node_modules', 'package.json']) {
    const dest = copied.get(what);
    if (!dest) problems.push(`the runtime stage does not copy ${what} from the build stage`);
    else if (dest !== posix.join(workdir, what))
      problems.push(
        `the runtime stage copies ${what} to ${dest}, not ${posix.join(workdir, what)} (the apps run from ${workdir})`,
      );
  }
  return problems;
}

function validateDockerignore(text: string): string[] {
  const entries = text
    .split('\n')
    .map((l) => l.trim().replace(/^\/+|\/+$/g, ''))
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
  const problems: string[] = [];
  for (const must of ['node_modules', 'dist', '.cache', '.kafka', 'coverage', '.git']) {
    if (!entries.includes(must)) problems.push(`.dockerignore does not exclude ${must}`);
  }
  for (const needed of [
    'apps',
    'libs',
    'schemas',
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'test',
    '*',
    '**',
  ]) {
    if (entries.includes(needed)) problems.push(`.dockerignore excludes ${needed}, which the build needs`);
  }
  return problems;
}

// ------------------------------------------------------------------------------------------------
// The build: every app's main.ts is compiled to the path compose runs
// ------------------------------------------------------------------------------------------------

function validateBuildOutputs(apps: string[]): string[] {
  const configPath = join(ROOT, 'tsconfig.build.json');
  const read = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  if (read.error) return [`tsconfig.build.json: ${ts.flattenDiagnosticMessageText(read.error.messageText, '\n')}`];
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT, undefined, configPath);
  const include = (read.config as { include?: string[] }).include ?? [];
  const problems: string[] = [];
  if (!include.some((i) => i === 'apps' || i.startsWith('apps/')))
    problems.push('tsconfig.build.json does not include apps');
  const files = new Set(parsed.fileNames.map((f) => resolve(f)));
  const rootDir = parsed.options.rootDir ?? ROOT;
  const outDir = parsed.options.outDir ?? ROOT;
  for (const app of apps) {
    const main = join(ROOT, 'apps', app, 'src', 'main.ts');
    if (!files.has(main)) {
      problems.push(`apps/${app}/src/main.ts is not compiled by tsconfig.build.json`);
      continue;
    }
    const out = relative(ROOT, join(outDir, relative(rootDir, main)))
      .replace(/\.ts$/, '.js')
      .split('\\')
      .join('/');
    if (out !== `dist/apps/${app}/src/main.js`)
      problems.push(`apps/${app}/src/main.ts builds to ${out}, not dist/apps/${app}/src/main.js`);
  }
  return problems;
}

// ------------------------------------------------------------------------------------------------
// Tests
// ------------------------------------------------------------------------------------------------

function loadCompose(): unknown {
  // merge: compose honours YAML merge keys (`<<: *app`), which YAML 1.2 leaves off by default
  return parseYaml(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
}

/** A deep copy without shared (aliased) nodes, so a mutation touches one service only. */
function brokenCopy(): { services: Record<string, Obj> } & Obj {
  return JSON.parse(JSON.stringify(loadCompose())) as { services: Record<string, Obj> } & Obj;
}

const discovered = appsOnDisk();
const settings = knownSettings();
const ctx: ComposeContext = {
  apps: discovered.length > 0 ? discovered : DESIGN_APPS,
  appsWithoutService: APPS_WITHOUT_SERVICE,
  settings,
};
/** Same checks, independent of which apps exist on disk right now. */
const designCtx: ComposeContext = { ...ctx, apps: DESIGN_APPS };
/** Checks that compare with apps/ run only once it holds apps. */
const withApps = discovered.length > 0 ? it : it.skip;

describe('docker deployment files', () => {
  it('knows the settings of libs/config', () => {
    for (const name of ['KAFKA_BROKERS', 'DATABASE_URL', 'LOG_LEVEL', 'SHUTDOWN_TIMEOUT_MS', 'PORT', 'HOST']) {
      expect(settings.has(name)).toBe(true);
    }
  });

  it('docker-compose.yml is consistent with the apps, the settings and itself', () => {
    expect(validateCompose(loadCompose(), ctx)).toEqual([]);
  });

  withApps('has exactly one service per app under apps/ (each running its own build output)', () => {
    const doc = loadCompose() as { services: Record<string, Obj> };
    const running = Object.values(doc.services)
      .map((s) => commandTokens(s.command).find((t) => t.startsWith('dist/apps/')))
      .filter((t): t is string => t !== undefined)
      .sort();
    const expected = discovered
      .filter((a) => !APPS_WITHOUT_SERVICE.includes(a))
      .map((a) => `dist/apps/${a}/src/main.js`);
    for (const path of expected) expect(running.filter((r) => r === path)).toHaveLength(1);
    expect(validateCompose(doc, ctx)).toEqual([]);
  });

  withApps('compiles every app to the path its service runs', () => {
    expect(validateBuildOutputs(discovered)).toEqual([]);
  });

  it('the Dockerfile builds once and runs the compiled apps with their schemas, as node', () => {
    expect(validateDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))).toEqual([]);
  });

  it('.dockerignore keeps local state out of the build context, and nothing the build needs', () => {
    expect(validateDockerignore(readFileSync(join(ROOT, '.dockerignore'), 'utf8'))).toEqual([]);
  });
});

describe('the validators notice a broken deployment', () => {
  const problemsOf = (mutate: (doc: ReturnType<typeof brokenCopy>) => void): string[] => {
    const doc = brokenCopy();
    mutate(doc);
    return validateCompose(doc, designCtx);
  };
  const env = (svc: Obj): Obj => svc.environment as Obj;

  it('accepts the unmodified file', () => {
    expect(problemsOf(() => undefined)).toEqual([]);
  });

  it('reports an unknown (misspelled) environment variable', () => {
    expect(problemsOf((d) => void (env(d.services['ow-adapter']).KAFKA_BROKER = 'kafka:9092'))).toEqual([
      'service ow-adapter sets KAFKA_BROKER, which is not a setting defined in libs/config',
    ]);
  });

  it('reports a value the setting refuses, and list-form environments too', () => {
    const problems = problemsOf((d) => {
      d.services['eo-adapter'].environment = Object.entries(env(d.services['eo-adapter'])).map(
        ([k, v]) => `${k}=${String(v)}`,
      );
      (d.services['eo-adapter'].environment as string[]).push('KAFKA_TOPIC_PARTITIONS=zero', 'LOG_LEVL=debug');
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^service eo-adapter: KAFKA_TOPIC_PARTITIONS="zero" is refused by libs\/config/),
        'service eo-adapter sets LOG_LEVL, which is not a setting defined in libs/config',
      ]),
    );
  });

  it('reports a missing app service', () => {
    expect(problemsOf((d) => delete d.services['referral-tracker'])).toEqual([
      'app referral-tracker (apps/referral-tracker/src/main.ts) has no service',
    ]);
  });

  it('reports a service running another app, or an app that does not exist', () => {
    const problems = problemsOf((d) => {
      d.services['eo-adapter'].command = ['node', 'dist/apps/ow-adapter/src/main.js'];
      d.services['billing'] = { ...d.services['ow-adapter'], command: 'node dist/apps/billing/src/main.js' };
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'service eo-adapter runs app ow-adapter; name the service after its app',
        'app eo-adapter (apps/eo-adapter/src/main.ts) has no service',
        'app ow-adapter is run by several services: ow-adapter, eo-adapter',
        'service billing runs dist/apps/billing/src/main.js, but apps/billing/src/main.ts does not exist',
      ]),
    );
  });

  it('reports a depends_on target that is not a service', () => {
    expect(
      problemsOf((d) => void ((d.services.gateway.depends_on as Obj).kafak = { condition: 'service_started' })),
    ).toEqual(['service gateway depends on kafak, which is not a service']);
  });

  it('reports a gateway that publishes another port than it listens on', () => {
    const problems = problemsOf((d) => void (env(d.services.gateway).PORT = '8080'));
    expect(problems).toEqual(
      expect.arrayContaining([
        'service gateway listens on PORT 8080 but publishes container port(s) 3000',
        'service gateway: healthcheck calls port 3000, the app listens on 8080',
      ]),
    );
  });

  it('reports a Kafka node that is not a KRaft controller, or apps pointed at another broker', () => {
    const problems = problemsOf((d) => {
      env(d.services.kafka).KAFKA_PROCESS_ROLES = 'broker';
      delete env(d.services.kafka).KAFKA_CONTROLLER_QUORUM_VOTERS;
      env(d.services['referral-tracker']).KAFKA_BROKERS = 'localhost:9092';
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/KAFKA_PROCESS_ROLES is "broker"/),
        'kafka has no KAFKA_CONTROLLER_QUORUM_VOTERS',
        expect.stringMatching(
          /^service referral-tracker: KAFKA_BROKERS entry localhost:9092 is not a listener kafka advertises/,
        ),
      ]),
    );
  });

  it('reports a grace period too short to drain, and a fixed name', () => {
    const problems = problemsOf((d) => {
      d.services['ow-adapter'].stop_grace_period = '10s';
      d.services['ow-adapter'].container_name = 'ow';
    });
    expect(problems).toEqual([
      'service ow-adapter: stop_grace_period 10s must exceed SHUTDOWN_TIMEOUT_MS (30000 ms) so SIGTERM can drain',
      'service ow-adapter sets container_name, which prevents scaling it',
    ]);
  });

  it('reports a Dockerfile whose runtime stage lacks schemas, runs as root, or picks an app', () => {
    const original = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const broken = original
      .replace(/^COPY --from=\S+ \S*schemas\S* .*$/m, '')
      .replace(/^USER node$/m, '')
      .replace(/^CMD .*$/m, 'CMD ["node", "dist/apps/gateway/src/main.js"]');
    expect(broken).not.toEqual(original);
    expect(validateDockerfile(broken)).toEqual(
      expect.arrayContaining([
        'the runtime stage does not copy schemas from the build stage',
        'the runtime stage runs as root; expected USER node',
        "the runtime stage's CMD starts an app; each service chooses its app",
      ]),
    );
  });

  it('reports an app that the build does not compile', () => {
    expect(validateBuildOutputs(['no-such-app'])).toEqual([
      'apps/no-such-app/src/main.ts is not compiled by tsconfig.build.json',
    ]);
  });
});
