import { readFileSync } from 'node:fs';
import { SignJWT, createLocalJWKSet, createRemoteJWKSet, errors, importJWK, jwtVerify, type JWK, type JWTVerifyGetKey } from 'jose';
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

/** Verifies bearer tokens (signature, algorithm, issuer, audience, expiry) into a {@link Principal}. */
export class TokenVerifier {
  private constructor(
    private readonly keys: JWTVerifyGetKey[],
    private readonly settings: TokenSettings,
  ) {}

  static async create(settings: TokenSettings): Promise<TokenVerifier> {
    const keys: JWTVerifyGetKey[] = [];
    if (settings.jwks.startsWith('https://') || settings.jwks.startsWith('http://')) keys.push(createRemoteJWKSet(new URL(settings.jwks)));
    else if (settings.jwks !== '') keys.push(createLocalJWKSet(JSON.parse(readFileSync(settings.jwks, 'utf8')) as { keys: JWK[] }));
    if (settings.devKeys) keys.push(createLocalJWKSet((await devKeyPair(settings.devKeyDir)).publicJwks));
    if (keys.length === 0) throw new Error('no token issuer is trusted: set AUTH_JWKS, or AUTH_DEV_KEYS=true for development');
    return new TokenVerifier(keys, settings);
  }

  async verify(authorization: string | undefined): Promise<Principal> {
    const token = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(authorization ?? '')?.[1];
    if (!token) throw new AuthError(AuthErrorCode.TokenMissing, 'send `Authorization: Bearer <token>`');
    try {
      const { payload } = await jwtVerify(token, (header, input) => this.keyFor(header, input), {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp', 'org'],
      });
      return principalFromClaims(payload);
    } catch (error) {
      if (error instanceof AuthError) throw error;
      if (error instanceof errors.JWTExpired) throw new AuthError(AuthErrorCode.TokenExpired, 'the token has expired');
      if (error instanceof errors.JOSEError) throw new AuthError(AuthErrorCode.TokenInvalid, `the token is not valid here (${error.code})`);
      throw error;
    }
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
export async function mintDevToken(request: DevTokenRequest, settings: Pick<TokenSettings, 'issuer' | 'audience' | 'devKeyDir'>): Promise<string> {
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
