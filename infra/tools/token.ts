import { ConfigError, authSettings, loadConfig } from '@passerelle/config';
import { mintDevToken } from '@passerelle/auth';
import { documentedScopes, loadOpenApiDocument } from '@passerelle/contracts';

/**
 * `npm run token -- --org ow:toronto --scope case-records:write [--scope ...] [--ttl 3600] [--sub caseworker-7]`
 * (`--help` lists the scopes `schemas/openapi.yaml` declares):
 * a development token signed with the local key (AUTH_DEV_KEY_DIR, created on first use), for
 * the issuer and audience the gateway checks (AUTH_ISSUER, AUTH_AUDIENCE). Prints the token alone
 * on stdout, so `TOKEN=$(npm run --silent token -- ...)` works. Production tokens come from the
 * province's identity provider, not from here.
 */
const USAGE =
  'usage: npm run token -- --org <ow:agent|odsp:office|eo:provider|ministry:name> --scope <scope> [--scope ...] [--ttl seconds] [--sub subject]';

/** The usage, with the scopes the API document declares (the one list the gateway is held to). */
function usage(): string {
  const scopes = Object.entries(documentedScopes(loadOpenApiDocument()));
  const width = Math.max(...scopes.map(([scope]) => scope.length));
  return [USAGE, '', '--scope, one of:', ...scopes.map(([scope, what]) => `  ${scope.padEnd(width)}  ${what}`)].join(
    '\n',
  );
}

function parse(argv: string[]): { org: string; scopes: string[]; ttlSeconds: number; subject?: string } | undefined {
  let org: string | undefined;
  let subject: string | undefined;
  let ttlSeconds = 3_600;
  const scopes: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    // `--flag=value` or `--flag value` (`.at()`: either may be missing).
    const parts = argv[i].split(/=(.*)/s, 2);
    const flag = parts[0];
    const value = parts.at(1) ?? argv.at((i += 1));
    if (value === undefined) return undefined;
    if (flag === '--org') org = value;
    else if (flag === '--scope') scopes.push(...value.split(/[\s,]+/).filter(Boolean));
    else if (flag === '--sub') subject = value;
    else if (flag === '--ttl' && /^\d+$/.test(value)) ttlSeconds = Number(value);
    else return undefined;
  }
  return org === undefined ? undefined : { org, scopes, ttlSeconds, ...(subject !== undefined && { subject }) };
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage());
    return 0;
  }
  const request = parse(argv);
  if (!request || !/^(ow|odsp|eo|ministry):[a-z0-9][a-z0-9-]{0,62}$/.test(request.org)) {
    console.error(usage());
    return 2;
  }
  // Minted anyway (a test may want a token the gateway refuses), but said on stderr.
  const known = documentedScopes(loadOpenApiDocument());
  const unknown = request.scopes.filter((scope) => !(scope in known));
  if (unknown.length > 0) console.error(`token: no operation requires ${unknown.join(', ')} (see --help)`);
  const settings = loadConfig(authSettings);
  process.stdout.write(`${await mintDevToken(request, settings)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `token: ${(error as Error).message}`);
    process.exit(1);
  },
);
