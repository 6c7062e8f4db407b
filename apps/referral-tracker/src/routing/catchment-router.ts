import type { DirectoryProvider, DirectoryService, ProviderDirectory } from './provider-directory';

/**
 * Picks the EO provider a referral goes to (DESIGN.md, data flow step 3): the referrer's
 * preferred provider when it can take the client, otherwise the best provider whose catchment
 * holds the client's postal code. Pure and deterministic: the same directory and request always
 * give the same decision, whatever the order of the directory.
 */

export interface RoutingRequest {
  serviceWanted: string;
  preferredProvider?: string;
  postalCode?: string;
}

export enum UnroutableReason {
  NoPostalCode = 'NO_POSTAL_CODE',
  NoProviderForService = 'NO_PROVIDER_FOR_SERVICE',
  NoProviderInCatchment = 'NO_PROVIDER_IN_CATCHMENT',
  NoCapacity = 'NO_CAPACITY',
}

export type RoutingDecision =
  | {
      routed: true;
      provider: string;
      providerType: 'direct' | 'third-party';
      assignedBy: 'preferred' | 'catchment';
      catchment: string;
    }
  | { routed: false; code: UnroutableReason; reason: string };

/**
 * The forward sortation area of a postal code (first 3 characters, upper case): precise enough
 * for catchments and reports, coarse enough to leave the personal record.
 */
export function postalAreaOf(postalCode: string): string {
  return normalizePostalCode(postalCode).slice(0, 3);
}

/** An active provider offering an active service, with every catchment prefix of its locations. */
interface Offer {
  readonly provider: DirectoryProvider;
  readonly capacity: number;
  readonly prefixes: readonly string[];
}

interface DirectoryIndex {
  readonly byId: ReadonlyMap<string, DirectoryProvider>;
  /** service type -> offers, including those at capacity 0 (to tell "full" from "absent"). */
  readonly offers: ReadonlyMap<string, readonly Offer[]>;
}

export class CatchmentRouter {
  // One immutable index swapped whole, so a directory update never leaves routing half-updated.
  private index: DirectoryIndex;

  constructor(directory: ProviderDirectory) {
    this.index = indexOf(directory);
  }

  /** Replaces the directory at run time (e.g. capacities reported by providers). */
  replaceDirectory(directory: ProviderDirectory): void {
    this.index = indexOf(directory);
  }

  provider(id: string): DirectoryProvider | undefined {
    return this.index.byId.get(id);
  }

  route(request: RoutingRequest): RoutingDecision {
    const service = request.serviceWanted;
    const postalCode = normalizePostalCode(request.postalCode ?? '');

    const preferred =
      request.preferredProvider === undefined ? undefined : this.preferredOffer(request.preferredProvider, service);
    if (preferred !== undefined && typeof preferred !== 'string') {
      // A provider chosen by name still reports a catchment, for the reports grouped by catchment.
      const prefixes = preferred.prefixes;
      return routed(preferred.provider, 'preferred', longestMatch(prefixes, postalCode) ?? prefixes.at(0) ?? '');
    }
    // Why the preferred provider was passed over, appended to any refusal that follows.
    const passedOver =
      preferred === undefined ? '' : ` Preferred provider ${request.preferredProvider ?? ''} ${preferred}.`;
    const area = postalCode === '' ? 'no postal code' : `postal code area ${postalAreaOf(postalCode)}`;

    const offers = this.index.offers.get(service) ?? [];
    if (offers.length === 0) {
      return unroutable(
        UnroutableReason.NoProviderForService,
        `No active provider offers ${service} (${area}).${passedOver}`,
      );
    }
    if (postalCode === '') {
      return unroutable(
        UnroutableReason.NoPostalCode,
        `Cannot route ${service} by catchment without a postal code, and no usable preferred provider was given.${passedOver}`,
      );
    }

    const inCatchment = offers.flatMap((offer) => {
      const prefix = longestMatch(offer.prefixes, postalCode);
      return prefix === undefined ? [] : [{ offer, prefix }];
    });
    if (inCatchment.length === 0) {
      return unroutable(
        UnroutableReason.NoProviderInCatchment,
        `No active provider offering ${service} serves ${area}.${passedOver}`,
      );
    }
    const open = inCatchment.filter(({ offer }) => offer.capacity > 0);
    if (open.length === 0) {
      return unroutable(
        UnroutableReason.NoCapacity,
        `Every provider offering ${service} in ${area} is at capacity (${inCatchment
          .map(({ offer }) => offer.provider.id)
          .sort()
          .join(', ')}).${passedOver}`,
      );
    }
    // Most specific catchment first (a neighbourhood office before a city-wide one), then the most
    // open places, then the id so ties never depend on the order of the file.
    open.sort(
      (a, b) =>
        b.prefix.length - a.prefix.length ||
        b.offer.capacity - a.offer.capacity ||
        compareStrings(a.offer.provider.id, b.offer.provider.id),
    );
    const best = open[0];
    return routed(best.offer.provider, 'catchment', best.prefix);
  }

  /** The preferred provider's offer when it can take the client, or why it cannot. */
  private preferredOffer(id: string, service: string): Offer | string {
    const provider = this.index.byId.get(id);
    if (provider === undefined) return 'is not in the provider directory';
    if (provider.status !== 'active') return 'is inactive';
    const offer = this.index.offers.get(service)?.find((o) => o.provider.id === id);
    if (offer === undefined) return `does not offer ${service}`;
    if (offer.capacity <= 0) return `has no open places for ${service}`;
    return offer;
  }
}

function indexOf(directory: ProviderDirectory): DirectoryIndex {
  const byId = new Map<string, DirectoryProvider>();
  const offers = new Map<string, Offer[]>();
  for (const provider of directory.providers) {
    byId.set(provider.id, provider);
    if (provider.status !== 'active') continue;
    const prefixes = provider.locations.flatMap((location) => location.catchment.map((prefix) => prefix.toUpperCase()));
    for (const service of provider.services) {
      if (!isActive(service)) continue;
      const list = offers.get(service.serviceType) ?? [];
      list.push({ provider, capacity: service.capacity, prefixes });
      offers.set(service.serviceType, list);
    }
  }
  return { byId, offers };
}

function isActive(service: DirectoryService): boolean {
  return service.status === 'active';
}

function normalizePostalCode(postalCode: string): string {
  return postalCode.replace(/\s+/g, '').toUpperCase();
}

/** The longest of `prefixes` that starts `postalCode`, if any. */
function longestMatch(prefixes: readonly string[], postalCode: string): string | undefined {
  if (postalCode === '') return undefined;
  let best: string | undefined;
  for (const prefix of prefixes) {
    if (postalCode.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix;
  }
  return best;
}

function compareStrings(a: string, b: string): number {
  // Code-unit order, not locale order: the same answer on every host.
  return a < b ? -1 : a > b ? 1 : 0;
}

function routed(
  provider: DirectoryProvider,
  assignedBy: 'preferred' | 'catchment',
  catchment: string,
): RoutingDecision {
  return { routed: true, provider: provider.id, providerType: provider.providerType, assignedBy, catchment };
}

function unroutable(code: UnroutableReason, reason: string): RoutingDecision {
  return { routed: false, code, reason };
}
