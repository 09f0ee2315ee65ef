import { describe, expect, it } from '@jest/globals';
import { endToEndHeaders, forwardedRequestHeaders, rawHeader } from '../src/headers.js';

const pairs = (raw: string[]): Array<[string, string]> => {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i] as string, raw[i + 1] as string]);
  return out;
};

describe('endToEndHeaders', () => {
  it.each([
    ['Connection', 'keep-alive'],
    ['Keep-Alive', 'timeout=5'],
    ['Proxy-Authenticate', 'Basic'],
    ['Proxy-Authorization', 'Basic x'],
    ['Proxy-Connection', 'keep-alive'],
    ['TE', 'trailers'],
    ['Trailer', 'Expires'],
    ['Transfer-Encoding', 'chunked'],
    ['Upgrade', 'websocket'],
  ])('drops %s', (name, value) => {
    expect(endToEndHeaders(['X-Keep', '1', name, value])).toEqual(['X-Keep', '1']);
  });

  it('drops headers named in Connection (any case, several Connection headers)', () => {
    const raw = ['Connection', 'close, X-Secret', 'connection', 'x-other', 'X-Secret', 's', 'X-Other', 'o', 'Content-Type', 'text/plain'];
    expect(endToEndHeaders(raw)).toEqual(['Content-Type', 'text/plain']);
  });

  it('keeps repeated end-to-end headers in order (Set-Cookie)', () => {
    expect(endToEndHeaders(['Set-Cookie', 'a=1', 'Set-Cookie', 'b=2'])).toEqual(['Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']);
  });
});

describe('forwardedRequestHeaders', () => {
  it('appends X-Forwarded-For and sets -Proto and -Host when absent', () => {
    const out = forwardedRequestHeaders(['Host', 'app.example', 'Connection', 'keep-alive', 'Accept', '*/*'], { clientAddress: '127.0.0.9' });
    expect(pairs(out)).toEqual([
      ['Host', 'app.example'],
      ['Accept', '*/*'],
      ['X-Forwarded-For', '127.0.0.9'],
      ['X-Forwarded-Proto', 'http'],
      ['X-Forwarded-Host', 'app.example'],
    ]);
  });

  it('merges earlier X-Forwarded-For values and keeps a proxy’s -Proto/-Host', () => {
    const raw = ['X-Forwarded-For', '10.0.0.1', 'x-forwarded-for', '10.0.0.2', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'a.b', 'Host', 'internal'];
    const out = forwardedRequestHeaders(raw, { clientAddress: '127.0.0.1' });
    expect(rawHeader(out, 'x-forwarded-for')).toBe('10.0.0.1, 10.0.0.2, 127.0.0.1');
    expect(rawHeader(out, 'x-forwarded-proto')).toBe('https');
    expect(rawHeader(out, 'x-forwarded-host')).toBe('a.b');
    expect(out.filter((h) => h.toLowerCase() === 'x-forwarded-for')).toHaveLength(1);
  });

  it('strips hop-by-hop request headers, including those named in Connection', () => {
    const raw = ['Host', 'h', 'Connection', 'Upgrade, X-Hop', 'Upgrade', 'h2c', 'X-Hop', '1', 'TE', 'trailers', 'Transfer-Encoding', 'chunked', 'Proxy-Authorization', 'x', 'K-Proxied-By', 'activator'];
    const names = pairs(forwardedRequestHeaders(raw, { clientAddress: undefined })).map(([n]) => n);
    expect(names).toEqual(['Host', 'K-Proxied-By', 'X-Forwarded-Proto', 'X-Forwarded-Host']);
  });

  it('re-adds Connection: Upgrade and Upgrade for a protocol upgrade', () => {
    const raw = ['Host', 'h', 'Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k'];
    const out = forwardedRequestHeaders(raw, { clientAddress: '127.0.0.1', upgrade: 'websocket' });
    expect(rawHeader(out, 'connection')).toBe('Upgrade');
    expect(rawHeader(out, 'upgrade')).toBe('websocket');
    expect(rawHeader(out, 'sec-websocket-key')).toBe('k');
  });
});
