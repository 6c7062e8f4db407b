import { readFileSync } from 'node:fs';
import {
  SignJWT,
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  importJWK,
  jwtVerify,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import { AuthError, AuthErrorCode } from './auth.error';
import { devKeyPair } from './dev-keys';
import { principalFromClaims, type Principal } from './principal';

export interface TokenSettings {
  /** JWKS file path or https URL; empty for none. */
  jwks: string;
  issuer: string;
  audience: string;
  /** Trust the local development key. */
  devKeys: boolean;
  devKeyDir: string;
}

/** Asymmetric algorithms only: `none` and shared-secret HMAC tokens are refused. */
const ALGORITHMS = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'];

/** Tokens whose verification is remembered, at most (a caller sends the same token for its whole lifetime). */
const VERIFIED_CACHE_SIZE = 10_000;
/** How long a verification is remembered, at most: a key withdrawn from the JWKS stops working within this. */
const VERIFIED_CACHE_MS = 60_000;

/**
 * Verifies bearer tokens (signature, algorithm, issuer, audience, expiry) into a {@link Principal}.
 * A token that verified is remembered until it expires or for a minute, whichever comes first:
 * its bytes cannot change, and the signature check is most of the cost of a small request.
 */
export class TokenVerifier {
  private readonly verified = new Map<string, { principal: Principal; until: number }>();

  private constructor(
    private readonly keys: JWTVerifyGetKey[],
    private readonly settings: TokenSettings,
    private readonly now: () => number = Date.now,
  ) {}

  static async create(settings: TokenSettings, now?: () => number): Promise<TokenVerifier> {
    const keys: JWTVerifyGetKey[] = [];
    if (settings.jwks.startsWith('https://') || settings.jwks.startsWith('http://'))
      keys.push(createRemoteJWKSet(new URL(settings.jwks)));
    else if (settings.jwks !== '')
      keys.push(createLocalJWKSet(JSON.parse(readFileSync(settings.jwks, 'utf8')) as { keys: JWK[] }));
    if (settings.devKeys) keys.push(createLocalJWKSet((await devKeyPair(settings.devKeyDir)).publicJwks));
    if (keys.length === 0)
      throw new Error('no token issuer is trusted: set AUTH_JWKS, or AUTH_DEV_KEYS=true for development');
    return new TokenVerifier(keys, settings, now);
  }

  async verify(authorization: string | undefined): Promise<Principal> {
    const token = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(authorization ?? '')?.[1];
    if (!token) throw new AuthError(AuthErrorCode.TokenMissing, 'send `Authorization: Bearer <token>`');
    const now = this.now();
    const known = this.verified.get(token);
    if (known !== undefined && known.until > now) return known.principal;
    if (known !== undefined) this.verified.delete(token);
    try {
      const { payload } = await jwtVerify(token, (header, input) => this.keyFor(header, input), {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp', 'org'],
        currentDate: new Date(now),
      });
      const principal = principalFromClaims(payload);
      if (this.verified.size >= VERIFIED_CACHE_SIZE) this.forgetOldest();
      // `exp` is a required claim (jose refused the token without it); the fallback is for its type only.
      const expiresAt = (payload.exp ?? Number.POSITIVE_INFINITY) * 1000;
      this.verified.set(token, { principal, until: Math.min(expiresAt, now + VERIFIED_CACHE_MS) });
      return principal;
    } catch (error) {
      if (error instanceof AuthError) throw error;
      if (error instanceof errors.JWTExpired) throw new AuthError(AuthErrorCode.TokenExpired, 'the token has expired');
      if (error instanceof errors.JOSEError)
        throw new AuthError(AuthErrorCode.TokenInvalid, `the token is not valid here (${error.code})`);
      throw error;
    }
  }

  /** Drops the entry verified longest ago (a Map keeps insertion order). */
  private forgetOldest(): void {
    const oldest = this.verified.keys().next();
    if (oldest.done !== true) this.verified.delete(oldest.value);
  }

  /** The first trusted key set that has the token's key. */
  private async keyFor(...args: Parameters<JWTVerifyGetKey>): Promise<Awaited<ReturnType<JWTVerifyGetKey>>> {
    let last: unknown;
    for (const keys of this.keys) {
      try {
        return await keys(...args);
      } catch (error) {
        last = error;
        if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      }
    }
    throw last;
  }
}

export interface DevTokenRequest {
  org: string;
  scopes: string[];
  /** Lifetime in seconds (default one hour). */
  ttlSeconds?: number;
  subject?: string;
}

/** A development token signed with the local key (`npm run token`). */
export async function mintDevToken(
  request: DevTokenRequest,
  settings: Pick<TokenSettings, 'issuer' | 'audience' | 'devKeyDir'>,
): Promise<string> {
  const { privateJwk } = await devKeyPair(settings.devKeyDir);
  const key = await importJWK(privateJwk, 'ES256');
  return new SignJWT({ org: request.org, scope: request.scopes.join(' ') })
    .setProtectedHeader({ alg: 'ES256', kid: privateJwk.kid, typ: 'JWT' })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(request.subject ?? request.org)
    .setIssuedAt()
    .setExpirationTime(`${request.ttlSeconds ?? 3_600}s`)
    .sign(key);
}
