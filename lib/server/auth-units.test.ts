import { describe, expect, it } from 'vitest';
import { checkCsrfToken, checkOrigin, isMutation } from './csrf';
import { parsePasswordHash, randomPassword, validatePasswordStrength } from './auth-password';
import { peerHeaderValue } from './peer';
import { isHttps, parseCookies, sessionCookie, verifyCookieValue } from './session';
import { clientAddress } from './throttle';

const req = (headers: Record<string, string>, url = 'http://triage.local/api/v1/x') => new Request(url, { method: 'POST', headers });

describe('Origin check', () => {
  it('accepts this host by Origin or Referer and refuses others', () => {
    expect(() => checkOrigin(req({ origin: 'http://triage.local' }), false)).not.toThrow();
    expect(() => checkOrigin(req({ referer: 'http://triage.local/queues/x' }), false)).not.toThrow();
    for (const origin of ['http://evil.example', 'http://triage.local.evil.example', 'null', 'not a url']) {
      expect(() => checkOrigin(req({ origin }), false), origin).toThrow(/cross-site/);
    }
    expect(() => checkOrigin(req({}), false)).toThrow(/no Origin/);
    expect(() => checkOrigin(req({}), false, false)).not.toThrow();
  });

  it('trusts X-Forwarded-Host only behind a trusted proxy', () => {
    const r = req({ origin: 'https://public.example', 'x-forwarded-host': 'public.example' });
    expect(() => checkOrigin(r, false)).toThrow();
    expect(() => checkOrigin(r, true)).not.toThrow();
  });
});

describe('CSRF token', () => {
  it('must match exactly', () => {
    expect(() => checkCsrfToken(req({ 'x-csrf-token': 'abc' }), 'abc')).not.toThrow();
    expect(() => checkCsrfToken(req({ 'x-csrf-token': 'abd' }), 'abc')).toThrow();
    expect(() => checkCsrfToken(req({}), 'abc')).toThrow();
    expect(isMutation('GET')).toBe(false);
    expect(isMutation('delete')).toBe(true);
  });
});

describe('session cookie', () => {
  it('verifies its own signature only', () => {
    const cookie = sessionCookie('x', { secure: true, maxAgeSec: 60 });
    expect(cookie).toBe('triage_session=x; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure');
    expect(verifyCookieValue('id.sig', 'secret')).toBeNull();
    expect(verifyCookieValue('', 'secret')).toBeNull();
    expect(parseCookies('a=1; triage_session=v.s; b=2').get('triage_session')).toBe('v.s');
  });
});

describe('passwords', () => {
  it('rejects malformed or absurd stored hashes and weak new passwords', () => {
    expect(parsePasswordHash('scrypt$1073741824$8$1$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5')).toBeNull();
    expect(parsePasswordHash('bcrypt$...')).toBeNull();
    expect(validatePasswordStrength('short')).toMatch(/at least 8/);
    expect(validatePasswordStrength('long enough')).toBeNull();
    expect(randomPassword()).toMatch(/^[A-Za-z2-9]{20}$/);
  });
});

describe('client address', () => {
  const socket = { 'x-triage-peer': peerHeaderValue({ address: '::ffff:192.0.2.9', tls: false }) };

  it('is the socket address unless a proxy is trusted; then the hop the proxy appended', () => {
    const r = req({ ...socket, 'x-forwarded-for': '1.1.1.1, 10.0.0.5' });
    expect(clientAddress(r, true)).toBe('10.0.0.5');
    expect(clientAddress(r, false)).toBe('192.0.2.9');
    expect(clientAddress(req(socket), true)).toBe('192.0.2.9');
    expect(clientAddress(req({ 'x-forwarded-for': '1.1.1.1' }), false)).toBe('unknown');
    // A client-sent copy of the stamp header carries no valid stamp.
    expect(clientAddress(req({ 'x-triage-peer': 'tcp 1.1.1.1' }), false)).toBe('unknown');
  });

  it('HTTPS is the socket unless a proxy is trusted, never the request URL', () => {
    const tls = { 'x-triage-peer': peerHeaderValue({ address: '192.0.2.9', tls: true }) };
    expect(isHttps(req(socket, 'https://triage.local/x'), false)).toBe(false);
    expect(isHttps(req(tls), false)).toBe(true);
    expect(isHttps(req({ ...socket, 'x-forwarded-proto': 'https' }), false)).toBe(false);
    expect(isHttps(req({ ...socket, 'x-forwarded-proto': 'https' }), true)).toBe(true);
  });
});
