import fc from 'fast-check';
import { addressKind, hostRefusedAsWritten, isLoopbackHost, webhookAddressAllowed } from './webhook-addresses';

describe('webhook addresses', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['142.250.72.14', 'public'],
    ['2607:f8b0:400b:80f::200e', 'public'],
    ['[2607:f8b0:400b:80f::200e]', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.200.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['10.0.0.1', 'non-public'],
    ['172.16.0.1', 'non-public'],
    ['172.31.255.255', 'non-public'],
    ['192.168.1.1', 'non-public'],
    ['169.254.169.254', 'non-public'],
    ['100.64.0.1', 'non-public'],
    ['0.0.0.0', 'non-public'],
    ['224.0.0.251', 'non-public'],
    ['255.255.255.255', 'non-public'],
    ['198.18.0.1', 'non-public'],
    ['::', 'non-public'],
    ['::10.0.0.1', 'non-public'],
    ['fd12:3456::1', 'non-public'],
    ['fe80::1', 'non-public'],
    ['ff02::1', 'non-public'],
    ['2001:db8::1', 'non-public'],
    ['::ffff:10.0.0.1', 'non-public'],
    ['::ffff:a9fe:a9fe', 'non-public'],
    ['64:ff9b::a9fe:a9fe', 'non-public'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['11.0.0.1', 'public'],
  ])('%s is %s', (address, kind) => {
    expect(addressKind(address)).toBe(kind);
  });

  it('is no address kind for host names and garbage', () => {
    for (const value of ['localhost', 'intake.example', '', '10.0.0', '1.2.3.4.5', '::g'])
      expect(addressKind(value)).toBeUndefined();
  });

  it('allows per policy: public only, plus loopback, or any address', () => {
    expect(['8.8.8.8', '127.0.0.1', '10.0.0.1'].map((a) => webhookAddressAllowed(a, 'public'))).toEqual([
      true,
      false,
      false,
    ]);
    expect(['8.8.8.8', '127.0.0.1', '10.0.0.1'].map((a) => webhookAddressAllowed(a, 'loopback'))).toEqual([
      true,
      true,
      false,
    ]);
    expect(['8.8.8.8', '127.0.0.1', '10.0.0.1'].map((a) => webhookAddressAllowed(a, 'any'))).toEqual([
      true,
      true,
      true,
    ]);
    expect(webhookAddressAllowed('intake.example', 'any')).toBe(false);
  });

  it('judges an IPv4 address the same written plain or mapped into IPv6', () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        expect(addressKind(`::ffff:${v4}`)).toBe(addressKind(v4));
      }),
    );
  });
});

describe('isLoopbackHost', () => {
  it('knows loopback names and addresses from others', () => {
    expect(['127.0.0.1', 'localhost', 'api.localhost', '[::1]', '::1'].every(isLoopbackHost)).toBe(true);
    expect(
      ['128.0.0.1', '10.0.0.1', 'example.com', '[::2]', 'localhost.example.com', '0.0.0.0'].some(isLoopbackHost),
    ).toBe(false);
  });
});

describe('hostRefusedAsWritten', () => {
  it('refuses what a policy does not allow of an address or of localhost, and leaves other names to the lookup', () => {
    expect(hostRefusedAsWritten('10.0.0.1', 'loopback')).toBe(true);
    expect(hostRefusedAsWritten('10.0.0.1', 'any')).toBe(false);
    expect(hostRefusedAsWritten('[::1]', 'public')).toBe(true);
    expect(hostRefusedAsWritten('[::1]', 'loopback')).toBe(false);
    expect(hostRefusedAsWritten('localhost', 'public')).toBe(true);
    expect(hostRefusedAsWritten('api.localhost', 'loopback')).toBe(false);
    expect(hostRefusedAsWritten('8.8.8.8', 'public')).toBe(false);
    expect(hostRefusedAsWritten('intake.example', 'public')).toBe(false);
  });
});
