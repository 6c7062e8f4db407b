import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Type } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { loadOpenApiDocument, operationAccess } from '@passerelle/contracts';
import { controllerEndpoints, openApiPath, type Endpoint } from '../../../../test/support/gateway-endpoints';

/** Every controller class of the gateway, found by file name (nothing listed by hand). */
async function gatewayControllers(): Promise<Type[]> {
  const root = join(__dirname, '..');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.controller.ts'));
  const modules = await Promise.all(files.map((f) => import(join(root, f)) as Promise<Record<string, unknown>>));
  return modules.flatMap((m) =>
    Object.values(m).filter(
      (value): value is Type => typeof value === 'function' && Reflect.hasMetadata(PATH_METADATA, value),
    ),
  );
}

const sorted = (values: readonly string[]): string[] => [...values].sort();

/**
 * The access rules the controllers enforce (`@Access`) are the ones openapi.yaml declares (its
 * security requirements and `x-org-kinds`), so a client that mints its token from the document
 * is let in. The e2e access matrix then checks the running gateway against the document.
 */
describe('access rules of the controllers and of openapi.yaml', () => {
  let served: Endpoint[];
  const documented = operationAccess(loadOpenApiDocument());
  const key = (method: string, path: string): string => `${method} ${path}`;

  beforeAll(async () => {
    served = (await gatewayControllers()).flatMap(controllerEndpoints);
  });

  it('finds the controllers', () => expect(served.length).toBeGreaterThan(15));

  it('declares in the document the scopes and organization kinds each protected endpoint requires', () => {
    const byKey = new Map(documented.map((d) => [key(d.method, d.path), d]));
    const mismatches = served
      .filter((e) => !e.isPublic)
      .flatMap((e) => {
        const name = key(e.method, openApiPath(e.path));
        const doc = byKey.get(name);
        const enforced = { scopes: sorted(e.rule?.scopes ?? []), orgKinds: sorted(e.rule?.orgKinds ?? []) };
        const declared = doc && { scopes: sorted(doc.scopes), orgKinds: sorted(doc.orgKinds) };
        return JSON.stringify(enforced) === JSON.stringify(declared) ? [] : [{ name, enforced, declared }];
      });
    expect(mismatches).toEqual([]);
  });

  it('documents as protected exactly the endpoints that need a token', () => {
    const protectedServed = served.filter((e) => !e.isPublic).map((e) => key(e.method, openApiPath(e.path)));
    const protectedDocumented = documented.filter((d) => !d.isPublic).map((d) => key(d.method, d.path));
    expect(sorted(protectedDocumented)).toEqual(sorted(protectedServed));
  });
});
