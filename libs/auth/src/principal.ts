import type { JWTPayload } from 'jose';
import { AuthError, AuthErrorCode } from './auth.error';

/** Kinds of organization a token may stand for (DESIGN.md, "Who may do what"). */
export type OrgKind = 'ow' | 'odsp' | 'eo' | 'ministry';

/** The verified caller: one organization, the scopes its token grants. */
export interface Principal {
  org: string;
  orgKind: OrgKind;
  scopes: ReadonlySet<string>;
  /** `sub` of the token (the calling system or user), for the audit log. */
  subject: string;
}

const ORG = /^(ow|odsp|eo|ministry):[a-z0-9][a-z0-9-]{0,62}$/;

/** The principal of a verified token's claims: `org` (required) and `scope` (space-separated) or `scp` (array). */
export function principalFromClaims(claims: JWTPayload): Principal {
  const org = claims.org;
  if (typeof org !== 'string' || !ORG.test(org)) {
    throw new AuthError(
      AuthErrorCode.TokenInvalid,
      'the token has no valid `org` claim (e.g. ow:toronto, eo:provider-12, ministry:mcss)',
    );
  }
  const raw = typeof claims.scope === 'string' ? claims.scope.split(' ') : Array.isArray(claims.scp) ? claims.scp : [];
  const scopes = new Set(raw.filter((s): s is string => typeof s === 'string' && s.length > 0));
  return {
    org,
    orgKind: org.split(':')[0] as OrgKind,
    scopes,
    subject: typeof claims.sub === 'string' ? claims.sub : org,
  };
}
