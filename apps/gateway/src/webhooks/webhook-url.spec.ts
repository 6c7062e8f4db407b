import type { WebhookAddressPolicy } from '@passerelle/config';
import { checkWebhookUrl } from './webhook-url';

describe('checkWebhookUrl', () => {
  const refused = (
    raw: string,
    policy: 'none' | 'loopback' | 'any' = 'loopback',
    addresses: WebhookAddressPolicy = 'loopback',
  ) => {
    const check = checkWebhookUrl(raw, policy, addresses);
    if (check.ok) throw new Error(`${raw} was accepted`);
    return check.error;
  };

  it('accepts https URLs under every policy, normalized', () => {
    for (const policy of ['none', 'loopback', 'any'] as const) {
      expect(checkWebhookUrl('https://Intake.Toronto.example:8443/hooks/passerelle?x=1', policy, 'public')).toEqual({
        ok: true,
        url: 'https://intake.toronto.example:8443/hooks/passerelle?x=1',
      });
    }
  });

  it('accepts plain http to loopback only under the loopback policy, and anywhere under any', () => {
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'http://127.10.0.1/hook',
      'http://localhost:3001/',
      'http://[::1]:9000/x',
    ]) {
      expect(checkWebhookUrl(url, 'loopback', 'loopback').ok).toBe(true);
    }
    expect(refused('http://intake.toronto.example/hook')).toMatchObject({ pointer: '/url', code: 'https-required' });
    expect(refused('http://10.0.0.5/hook')).toMatchObject({ code: 'https-required' });
    expect(checkWebhookUrl('http://10.0.0.5/hook', 'any', 'any').ok).toBe(true);
    expect(refused('http://127.0.0.1.example.com/hook')).toMatchObject({ code: 'https-required' });
    expect(checkWebhookUrl('http://intake.toronto.example/hook', 'any', 'public').ok).toBe(true);
  });

  it('refuses plain http entirely under the none policy', () => {
    expect(refused('http://127.0.0.1:8080/hook', 'none')).toEqual({
      pointer: '/url',
      code: 'https-required',
      message: 'must be an https URL',
    });
  });

  it('refuses a URL naming a non-public address, whatever its scheme, unless the address policy allows it', () => {
    for (const url of [
      'https://10.1.2.3/hook',
      'https://169.254.169.254/latest/meta-data/',
      'https://192.168.0.10:8443/',
      'https://172.20.0.4/',
      'https://100.64.1.1/',
      'https://0.0.0.0/',
      'https://[fd00::1]/',
      'https://[fe80::1]/',
      'https://[::ffff:10.0.0.1]/',
      'https://[::ffff:169.254.169.254]/',
    ]) {
      expect(refused(url)).toEqual({
        pointer: '/url',
        code: 'address-not-allowed',
        message: 'must not name a private, loopback, link-local or other non-public address',
      });
      expect(checkWebhookUrl(url, 'none', 'any').ok).toBe(true);
    }
    // loopback: allowed in development (loopback), refused in production (public)
    for (const url of [
      'https://127.0.0.1/hook',
      'https://localhost:8443/',
      'https://[::1]/',
      'https://[::ffff:127.0.0.1]/',
    ]) {
      expect(checkWebhookUrl(url, 'none', 'loopback').ok).toBe(true);
      expect(refused(url, 'none', 'public')).toMatchObject({ code: 'address-not-allowed' });
    }
    // A host name is resolved at delivery, where the dispatcher checks each address it gets.
    expect(checkWebhookUrl('https://intake.toronto.example/hook', 'none', 'public').ok).toBe(true);
    expect(checkWebhookUrl('https://8.8.8.8/hook', 'none', 'public').ok).toBe(true);
  });

  it('refuses credentials, fragments, other schemes and relative URLs, naming the field', () => {
    expect(refused('https://user:pw@intake.example/hook')).toMatchObject({ pointer: '/url', code: 'credentials' });
    expect(refused('https://user@intake.example/hook')).toMatchObject({ code: 'credentials' });
    expect(refused('https://intake.example/hook#frag')).toMatchObject({ code: 'fragment' });
    expect(refused('ftp://intake.example/hook')).toMatchObject({ code: 'https-required' });
    expect(refused('javascript:alert(1)')).toMatchObject({ code: 'https-required' });
    expect(refused('/relative/hook')).toMatchObject({ code: 'format' });
    expect(refused('not a url')).toMatchObject({ code: 'format' });
  });
});
