import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ACCESS_RULE, PUBLIC_ENDPOINT, type AccessRule } from '../../apps/gateway/src/auth/access';

/** An endpoint as the running gateway declares it: method, path template, and who may call it. */
export interface Endpoint {
  method: string;
  /** `/v1/referrals/:referralId` */
  path: string;
  isPublic: boolean;
  rule?: AccessRule;
}

/** Every route of the running app, read from the controllers' own decorators (nothing listed by hand). */
export function endpointsOf(app: NestFastifyApplication): Endpoint[] {
  const endpoints: Endpoint[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (controller) endpoints.push(...controllerEndpoints(controller));
    }
  }
  return endpoints;
}

/** The routes one controller class declares (its decorators: path, method, `@Public`, `@Access`). */
export function controllerEndpoints(controller: Type): Endpoint[] {
  const endpoints: Endpoint[] = [];
  const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
  for (const name of Object.getOwnPropertyNames(controller.prototype)) {
    const handler = (controller.prototype as Record<string, unknown>)[name];
    if (name === 'constructor' || typeof handler !== 'function') continue;
    const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
    if (method === undefined) continue;
    const sub = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
    const path = `/v1/${base}/${sub}`.replace(/\/+/g, '/').replace(/\/$/, '');
    const isPublic =
      Reflect.getMetadata(PUBLIC_ENDPOINT, handler) === true ||
      Reflect.getMetadata(PUBLIC_ENDPOINT, controller) === true;
    const rule = (Reflect.getMetadata(ACCESS_RULE, handler) ?? Reflect.getMetadata(ACCESS_RULE, controller)) as
      AccessRule | undefined;
    endpoints.push({ method: RequestMethod[method], path, isPublic, ...(rule && { rule }) });
  }
  return endpoints;
}

/** `/v1/ow/case-records::batch` and `:referralId` templates, as the one OpenAPI spelling. */
export const openApiPath = (path: string): string => path.replace(/::/g, ':').replace(/\/:(\w+)/g, '/{$1}');

export const ORG_KINDS = ['ow', 'odsp', 'eo', 'ministry'] as const;
/** Organizations of each kind that own nothing in the suites that use them. */
export const STRANGERS: Record<(typeof ORG_KINDS)[number], string> = {
  ow: 'ow:toronto',
  odsp: 'odsp:central',
  eo: 'eo:provider-999',
  ministry: 'ministry:mcss',
};
