import { hash } from 'node:crypto';

/**
 * RFC 9562 UUID version 5 (SHA-1, name-based): the same namespace and name always give the same
 * id. Event ids and new client ids are derived this way, so reprocessing yields the same ids.
 */
export function nameBasedUuid(namespace: Buffer, name: string): string {
  // One-shot crypto.hash: several ids per mapped record, and it costs half of createHash().
  const bytes = hash('sha1', Buffer.concat([namespace, Buffer.from(name, 'utf8')]), 'buffer').subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Parts joined with length prefixes, so ("a|b", "c") and ("a", "b|c") never give the same name. */
export function unambiguousName(parts: Array<string | number>): string {
  let name = '';
  for (let i = 0; i < parts.length; i += 1) {
    const part = String(parts[i]);
    name += `${i === 0 ? '' : '|'}${part.length}:${part}`;
  }
  return name;
}
