import { checkWebhookUrl, isLoopback } from './webhook-url';

describe('checkWebhookUrl', () => {
  const refused = (raw: string, policy: 'none' | 'loopback' | 'any' = 'loopback') => {
    const check = checkWebhookUrl(raw, policy);
    if (check.ok) throw new Error(`${raw} was accepted`);
    return check.error;
  };

  it('accepts https URLs under every policy, normalized', () => {
    for (const policy of ['none', 'loopback', 'any'] as const) {
      expect(checkWebhookUrl('https://Intake.Toronto.example:8443/hooks/passerelle?x=1', policy)).toEqual({
        ok: true,
        url: 'https://intake.toronto.example:8443/hooks/passerelle?x=1',
      });
    }
  });

  it('accepts plain http to loopback only under the loopback policy, and anywhere under any', () => {
    for (const url of ['http://127.0.0.1:8080/hook', 'http://127.10.0.1/hook', 'http://localhost:3001/', 'http://[::1]:9000/x']) {
      expect(checkWebhookUrl(url, 'loopback').ok).toBe(true);
    }
    expect(refused('http://intake.toronto.example/hook')).toMatchObject({ pointer: '/url', code: 'https-required' });
    expect(refused('http://10.0.0.5/hook')).toMatchObject({ code: 'https-required' });
    expect(refused('http://127.0.0.1.example.com/hook')).toMatchObject({ code: 'https-required' });
    expect(checkWebhookUrl('http://intake.toronto.example/hook', 'any').ok).toBe(true);
  });

  it('refuses plain http entirely under the none policy', () => {
    expect(refused('http://127.0.0.1:8080/hook', 'none')).toEqual({ pointer: '/url', code: 'https-required', message: 'must be an https URL' });
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

describe('isLoopback', () => {
  it('knows loopback names and addresses from others', () => {
    expect(['127.0.0.1', 'localhost', 'api.localhost', '[::1]', '::1'].every(isLoopback)).toBe(true);
    expect(['128.0.0.1', '10.0.0.1', 'example.com', '[::2]', 'localhost.example.com', '0.0.0.0'].some(isLoopback)).toBe(false);
  });
});
