import { isJsonObject, type JsonObject } from './json';
import type { OpenApiDocument } from './openapi-document';

/** The security scheme every protected operation names; its requirement arrays list scopes. */
export const BEARER_SCHEME = 'bearer';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** One operation of the document, where it sits. */
export interface DocumentOperation {
  /** `GET`, `POST`... */
  method: string;
  /** `/v1/referrals/{referralId}`, or the webhook's name for an operation under `webhooks`. */
  path: string;
  /** JSON pointer of the operation object in the document. */
  pointer: string;
  operation: JsonObject;
  /** Under `webhooks`: a request the gateway sends, not one it serves. */
  isWebhook: boolean;
}

/** What an operation requires of its caller, as the document declares it. */
export interface OperationAccess {
  method: string;
  path: string;
  operationId: string;
  /** `security: []`: no token needed. */
  isPublic: boolean;
  /** Every one of these scopes (OpenAPI 3.1 lets any scheme's requirement list role names). */
  scopes: string[];
  /** `x-org-kinds`: the organization kinds served (`ow`, `odsp`, `eo`, `ministry`). */
  orgKinds: string[];
}

const pointerToken = (token: string): string => token.replace(/~/g, '~0').replace(/\//g, '~1');

/** Every operation under `paths` and `webhooks`, in document order. */
export function documentOperations(document: OpenApiDocument): DocumentOperation[] {
  const sections: [string, boolean][] = [
    ['paths', false],
    ['webhooks', true],
  ];
  return sections.flatMap(([section, isWebhook]) => {
    const items = document[section];
    if (!isJsonObject(items)) return [];
    return Object.entries(items).flatMap(([path, item]) =>
      isJsonObject(item)
        ? METHODS.flatMap((method) => {
            const operation = item[method];
            if (!isJsonObject(operation)) return [];
            const pointer = `/${section}/${pointerToken(path)}/${method}`;
            return [{ method: method.toUpperCase(), path, pointer, operation, isWebhook }];
          })
        : [],
    );
  });
}

/** The scopes a token may hold, each with what it allows (`x-scopes` of the bearer scheme). */
export function documentedScopes(document: OpenApiDocument): Record<string, string> {
  const schemes = isJsonObject(document.components.securitySchemes) ? document.components.securitySchemes : {};
  const bearer = schemes[BEARER_SCHEME];
  const scopes = isJsonObject(bearer) ? bearer['x-scopes'] : undefined;
  if (!isJsonObject(scopes)) throw new Error(`the ${BEARER_SCHEME} security scheme declares no x-scopes`);
  return Object.fromEntries(
    Object.entries(scopes).map(([scope, text]) => [scope, typeof text === 'string' ? text : JSON.stringify(text)]),
  );
}

/**
 * Who may call each operation the gateway serves: its security requirement (or the document's),
 * where one requirement object naming the bearer scheme lists the scopes, and `x-org-kinds`.
 * Alternatives (several requirement objects) are refused: the gateway has only one way in.
 */
export function operationAccess(document: OpenApiDocument): OperationAccess[] {
  const fallback = Array.isArray(document.security) ? document.security : [];
  return documentOperations(document)
    .filter((o) => !o.isWebhook)
    .map(({ method, path, operation }) => {
      const where = `${method} ${path}`;
      const security = Array.isArray(operation.security) ? operation.security : fallback;
      if (security.length > 1) throw new Error(`${where}: one security requirement expected`);
      const requirement = security.at(0);
      const orgKinds = operation['x-org-kinds'];
      const access = {
        method,
        path,
        operationId: typeof operation.operationId === 'string' ? operation.operationId : where,
        isPublic: requirement === undefined,
        scopes: [] as string[],
        orgKinds: Array.isArray(orgKinds) ? orgKinds.map(String) : [],
      };
      if (requirement === undefined) return access;
      const scopes = isJsonObject(requirement) ? requirement[BEARER_SCHEME] : undefined;
      if (!Array.isArray(scopes) || Object.keys(requirement as JsonObject).length !== 1) {
        throw new Error(`${where}: the security requirement must name the ${BEARER_SCHEME} scheme alone`);
      }
      return { ...access, scopes: scopes.map(String) };
    });
}
