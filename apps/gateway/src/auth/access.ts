import { SetMetadata } from '@nestjs/common';
import type { OrgKind } from '@passerelle/auth';

/** What an endpoint needs of its caller. */
export interface AccessRule {
  /** Every one of these scopes. */
  scopes: string[];
  /** Organization kinds the endpoint serves (referrers, providers, the ministry). */
  orgKinds: OrgKind[];
}

export const PUBLIC_ENDPOINT = 'passerelle:public';
export const ACCESS_RULE = 'passerelle:access';

/** Open to anyone (health, metrics, docs). Every other endpoint needs a verified token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ENDPOINT, true);

/** The scopes and organization kinds an endpoint requires (checked by the AuthGuard). */
export const Access = (rule: AccessRule): MethodDecorator & ClassDecorator => SetMetadata(ACCESS_RULE, rule);
