import { schemaIdForPath, schemaRegistry, dataDir, type FieldError, type Referral } from '@passerelle/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The EO provider directory (`data/provider-directory.json`, HSDS-shaped: organizations, their
 * services, their locations and catchments), as the catchment router reads it. The types mirror
 * `schemas/directory/provider-directory.json`, which is not part of the OpenAPI document and so
 * has no generated types.
 */

export type ServiceType = Referral['serviceWanted'];

export interface BilingualText {
  readonly en: string;
  readonly fr: string;
}

export interface DirectoryService {
  readonly serviceType: ServiceType;
  readonly status: 'active' | 'inactive';
  /** Open places for new referrals; 0 = full. */
  readonly capacity: number;
}

export interface DirectoryAddress {
  readonly line1: string;
  readonly city: string;
  readonly province: 'ON';
  readonly postalCode: string;
}

export interface DirectoryLocation {
  readonly name: string;
  readonly address: DirectoryAddress;
  /** Postal-code prefixes (1 to 3 characters, upper case) served from this location. */
  readonly catchment: readonly string[];
}

export interface DirectoryProvider {
  readonly id: string;
  readonly name: BilingualText;
  readonly providerType: 'direct' | 'third-party';
  readonly status: 'active' | 'inactive';
  readonly services: readonly DirectoryService[];
  readonly locations: readonly DirectoryLocation[];
}

export interface ProviderDirectory {
  readonly providers: readonly DirectoryProvider[];
}

export const PROVIDER_DIRECTORY_SCHEMA_ID = schemaIdForPath('directory/provider-directory.json');

export enum ProviderDirectoryErrorCode {
  /** The file is missing or is not JSON. */
  Unreadable = 'PROVIDER_DIRECTORY_UNREADABLE',
  /** The data does not match `schemas/directory/provider-directory.json`. */
  SchemaViolation = 'PROVIDER_DIRECTORY_SCHEMA_VIOLATION',
  /** Schema-valid but ambiguous: a provider id used twice, or a service type twice in one provider. */
  Inconsistent = 'PROVIDER_DIRECTORY_INCONSISTENT',
}

/** A directory that cannot be used; `errors` point into the data (JSON pointers). */
export class ProviderDirectoryError extends Error {
  readonly retriable = false;
  constructor(
    readonly code: ProviderDirectoryErrorCode,
    readonly source: string,
    readonly errors: FieldError[],
  ) {
    super(`${code}: ${errors.map((e) => `${source}#${e.pointer} ${e.message}`).join('; ')}`);
    this.name = 'ProviderDirectoryError';
  }
}

/** The default location of the directory: `data/` beside the repository's `schemas/`. */
export function defaultProviderDirectoryFile(): string {
  return join(dataDir(), 'provider-directory.json');
}

/** Reads and checks a directory file (see {@link providerDirectoryFrom}). */
export function loadProviderDirectory(file: string = defaultProviderDirectoryFile()): ProviderDirectory {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ProviderDirectoryError(ProviderDirectoryErrorCode.Unreadable, file, [
      { pointer: '', code: 'unreadable', message: (error as Error).message },
    ]);
  }
  return providerDirectoryFrom(data, file);
}

/**
 * Checks directory data however it arrived (file, admin upload, compacted topic) and returns it
 * deep-frozen, so a router holding it cannot see it change under its feet; throws a
 * {@link ProviderDirectoryError} naming each bad field. `source` names the data in messages.
 */
export function providerDirectoryFrom(data: unknown, source = 'provider directory'): ProviderDirectory {
  const result = schemaRegistry().validate<ProviderDirectory>(PROVIDER_DIRECTORY_SCHEMA_ID, data);
  if (!result.ok) throw new ProviderDirectoryError(ProviderDirectoryErrorCode.SchemaViolation, source, result.errors);

  // Uniqueness JSON Schema cannot express: routing by id and by service type must be unambiguous.
  const errors: FieldError[] = [];
  const seenIds = new Map<string, number>();
  result.value.providers.forEach((provider, i) => {
    const first = seenIds.get(provider.id);
    if (first !== undefined) {
      errors.push({
        pointer: `/providers/${i}/id`,
        code: 'duplicate',
        message: `repeats the id of /providers/${first}`,
      });
    } else {
      seenIds.set(provider.id, i);
    }
    const seenTypes = new Map<string, number>();
    provider.services.forEach((service, j) => {
      const firstType = seenTypes.get(service.serviceType);
      if (firstType !== undefined) {
        errors.push({
          pointer: `/providers/${i}/services/${j}/serviceType`,
          code: 'duplicate',
          message: `repeats the service type of /providers/${i}/services/${firstType}`,
        });
      } else {
        seenTypes.set(service.serviceType, j);
      }
    });
  });
  if (errors.length > 0) throw new ProviderDirectoryError(ProviderDirectoryErrorCode.Inconsistent, source, errors);
  return deepFreeze(structuredClone(result.value));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze<unknown>(child);
    Object.freeze(value);
  }
  return value;
}
