import { BlockList, isIP } from 'node:net';

/**
 * Which addresses a webhook may be sent to (`WEBHOOK_ADDRESSES`): `public` (globally routable
 * unicast only: production), `loopback` (public, plus this machine's own loopback: development)
 * or `any`. Without it, an organization registering a webhook could make the dispatcher POST into
 * the network it runs in: a cloud metadata service, a database's HTTP port, an admin console.
 */
export type WebhookAddressPolicy = 'public' | 'loopback' | 'any';

export const WEBHOOK_ADDRESS_POLICIES: readonly WebhookAddressPolicy[] = ['public', 'loopback', 'any'];

/** The kind of an IP address, as far as sending a webhook to it goes. */
export type AddressKind = 'public' | 'loopback' | 'non-public';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Special-purpose ranges (IANA registries) that no organization's receiver legitimately uses. */
const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // unspecified, and the deprecated IPv4-compatible ::a.b.c.d
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments (Teredo, ORCHID, ...)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4 (embeds any IPv4 address)
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** `address` (an IP address, IPv6 with or without brackets) classified; undefined when it is not one. */
export function addressKind(address: string): AddressKind | undefined {
  const host = address.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const family = isIP(host);
  if (family === 0) return undefined;
  if (family === 6) {
    // An IPv4 address inside IPv6 (mapped ::ffff:a.b.c.d, or NAT64 64:ff9b::) is judged as itself.
    const embedded = embeddedIpv4(host);
    if (embedded !== undefined) return addressKind(embedded);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (LOOPBACK.check(host, type)) return 'loopback';
  if (NON_PUBLIC.check(host, type)) return 'non-public';
  return 'public';
}

/** Whether `policy` lets a webhook go to `address`; a string that is no IP address is never allowed. */
export function webhookAddressAllowed(address: string, policy: WebhookAddressPolicy): boolean {
  if (policy === 'any') return isIP(address.replace(/^\[(.*)\]$/, '$1')) !== 0;
  const kind = addressKind(address);
  return kind === 'public' || (kind === 'loopback' && policy === 'loopback');
}

/** localhost (and its subdomains) by name, or a loopback address; URL keeps IPv6 hosts in brackets. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || addressKind(host) === 'loopback';
}

/**
 * Whether `policy` refuses a URL's host as it is written, before any lookup: an address it does
 * not allow, or localhost (loopback by name) where loopback is not allowed. Any other host name
 * is left to the lookup, whose every address is checked when connecting.
 */
export function hostRefusedAsWritten(hostname: string, policy: WebhookAddressPolicy): boolean {
  if (addressKind(hostname) !== undefined) return !webhookAddressAllowed(hostname, policy);
  return isLoopbackHost(hostname) && !webhookAddressAllowed('127.0.0.1', policy);
}

function embeddedIpv4(ipv6: string): string | undefined {
  const match = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/.exec(ipv6);
  if (!match) return undefined;
  const ipv4 = match.at(1); // an optional group: undefined in the hex form
  if (ipv4 !== undefined) return ipv4;
  const high = parseInt(match[2], 16);
  const low = parseInt(match[3], 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}
