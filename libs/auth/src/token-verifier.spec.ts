import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { AuthError, AuthErrorCode } from './auth.error';
import { TokenVerifier, mintDevToken, type TokenSettings } from './token-verifier';

describe('TokenVerifier', () => {
  const dir = mkdtempSync(join(tmpdir(), 'auth-'));
  const settings: TokenSettings = {
    jwks: '',
    issuer: 'passerelle-dev',
    audience: 'passerelle',
    devKeys: true,
    devKeyDir: join(dir, 'dev'),
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const refusal = async (verifier: TokenVerifier, header: string | undefined): Promise<string> =>
    verifier.verify(header).then(
      () => 'accepted',
      (error: unknown) => (error instanceof AuthError ? error.code : 'error'),
    );

  it('accepts a development token and reads org, scopes and subject', async () => {
    const verifier = await TokenVerifier.create(settings);
    const token = await mintDevToken({ org: 'ow:toronto', scopes: ['referrals:write', 'referrals:read'] }, settings);
    const principal = await verifier.verify(`Bearer ${token}`);
    expect(principal).toMatchObject({ org: 'ow:toronto', orgKind: 'ow', subject: 'ow:toronto' });
    expect([...principal.scopes].sort()).toEqual(['referrals:read', 'referrals:write']);
  });

  it('refuses a missing, expired, unsigned, foreign, mis-addressed or org-less token', async () => {
    const verifier = await TokenVerifier.create(settings);
    expect(await refusal(verifier, undefined)).toBe(AuthErrorCode.TokenMissing);
    expect(await refusal(verifier, 'Basic abc')).toBe(AuthErrorCode.TokenMissing);
    expect(
      await refusal(
        verifier,
        `Bearer ${await mintDevToken({ org: 'ow:toronto', scopes: [], ttlSeconds: -60 }, settings)}`,
      ),
    ).toBe(AuthErrorCode.TokenExpired);
    expect(
      await refusal(
        verifier,
        `Bearer ${await mintDevToken({ org: 'ow:toronto', scopes: [] }, { ...settings, audience: 'someone-else' })}`,
      ),
    ).toBe(AuthErrorCode.TokenInvalid);
    expect(
      await refusal(
        verifier,
        `Bearer ${await mintDevToken({ org: 'ow:toronto', scopes: [] }, { ...settings, issuer: 'evil' })}`,
      ),
    ).toBe(AuthErrorCode.TokenInvalid);
    const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = {
      org: 'ow:toronto',
      iss: 'passerelle-dev',
      aud: 'passerelle',
      exp: Math.floor(Date.now() / 1000) + 600,
    };
    expect(await refusal(verifier, `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`)).toBe(
      AuthErrorCode.TokenInvalid,
    );
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('x'.repeat(32)));
    expect(await refusal(verifier, `Bearer ${hs}`)).toBe(AuthErrorCode.TokenInvalid);
    const { privateKey } = await generateKeyPair('ES256');
    const foreign = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
    expect(await refusal(verifier, `Bearer ${foreign}`)).toBe(AuthErrorCode.TokenInvalid);
    expect(
      await refusal(verifier, `Bearer ${await mintDevToken({ org: 'city of toronto', scopes: [] }, settings)}`),
    ).toBe(AuthErrorCode.TokenInvalid);
  });

  it('remembers a verified token for a minute at most, never past its expiry, and never a refused one', async () => {
    let clock = Date.now();
    const verifier = await TokenVerifier.create(settings, () => clock);
    const token = await mintDevToken({ org: 'ow:toronto', scopes: ['referrals:read'], ttlSeconds: 90 }, settings);
    const first = await verifier.verify(`Bearer ${token}`);
    expect(await verifier.verify(`Bearer ${token}`)).toBe(first);
    clock += 61_000; // past the minute: verified again (a new Principal), still valid
    const second = await verifier.verify(`Bearer ${token}`);
    expect(second).not.toBe(first);
    expect(second.org).toBe('ow:toronto');
    clock += 30_000; // past its expiry, although verified less than a minute ago
    expect(await refusal(verifier, `Bearer ${token}`)).toBe(AuthErrorCode.TokenExpired);
    const wrongAudience = await mintDevToken(
      { org: 'ow:toronto', scopes: [] },
      { ...settings, audience: 'someone-else' },
    );
    expect(await refusal(verifier, `Bearer ${wrongAudience}`)).toBe(AuthErrorCode.TokenInvalid);
    expect(await refusal(verifier, `Bearer ${wrongAudience}`)).toBe(AuthErrorCode.TokenInvalid);
  });

  it('trusts the issuers of a JWKS file, and not the development key once it is switched off', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwksFile = join(dir, 'jwks.json');
    writeFileSync(
      jwksFile,
      JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'prod-1', alg: 'RS256', use: 'sig' }] }),
    );
    const production = await TokenVerifier.create({
      ...settings,
      jwks: jwksFile,
      devKeys: false,
      issuer: 'https://idp.ontario.ca',
      audience: 'passerelle',
    });
    const token = await new SignJWT({ org: 'eo:provider-12', scope: 'provider:read' })
      .setProtectedHeader({ alg: 'RS256', kid: 'prod-1' })
      .setIssuer('https://idp.ontario.ca')
      .setAudience('passerelle')
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await production.verify(`Bearer ${token}`)).org).toBe('eo:provider-12');
    const dev = await mintDevToken(
      { org: 'ow:toronto', scopes: [] },
      { ...settings, issuer: 'https://idp.ontario.ca' },
    );
    expect(await refusal(production, `Bearer ${dev}`)).toBe(AuthErrorCode.TokenInvalid);
    await expect(TokenVerifier.create({ ...settings, devKeys: false })).rejects.toThrow('no token issuer is trusted');
  });
});
