import { describe, expect, it } from '@jest/globals';
import { classifyFailure, endToEndHeaders, podRequestHeaders, requestHeadersForPod, stripHopByHop } from '@kpa-ts/activator';

describe('headers', () => {
  it('strips hop-by-hop headers and those named in Connection', () => {
    const out = stripHopByHop({ connection: 'keep-alive, x-secret', 'keep-alive': 'timeout=5', 'x-secret': '1', 'transfer-encoding': 'chunked', te: 'trailers', 'x-kept': 'yes', host: 'a' });
    expect(out).toEqual({ 'x-kept': 'yes', host: 'a' });
  });

  const proxied = { name: 'k-proxied-by', value: 'activator', set: true };
  it('sets X-Forwarded-*, appends to an existing X-Forwarded-For, sets the proxied header', () => {
    const out = requestHeadersForPod({ host: 'r.ns.kpa.local', 'x-forwarded-for': '10.0.0.1' }, { clientIp: '127.0.0.9', proto: 'http', proxiedHeader: proxied });
    expect(out).toEqual({
      host: 'r.ns.kpa.local',
      'x-forwarded-for': '10.0.0.1, 127.0.0.9',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'r.ns.kpa.local',
      'k-proxied-by': 'activator',
    });
  });

  it('Serve mode drops a client-sent proxied header instead of forwarding it', () => {
    const out = requestHeadersForPod({ 'k-proxied-by': 'activator' }, { clientIp: undefined, proto: 'http', proxiedHeader: { ...proxied, set: false } });
    expect(out['k-proxied-by']).toBeUndefined();
  });

  it('keeps Upgrade for a WebSocket handshake', () => {
    const out = requestHeadersForPod({ connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' }, { clientIp: '127.0.0.1', proto: 'http', proxiedHeader: proxied, upgrade: 'websocket' });
    expect(out).toMatchObject({ connection: 'upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' });
  });
});

describe('headers on raw lists (what the hot path sends)', () => {
  const proxied = { name: 'k-proxied-by', value: 'activator', set: true };
  it('keeps names in their case and order, merges every X-Forwarded-For into one, drops what Connection names', () => {
    const raw = ['Host', 'r.ns.kpa.local', 'X-Forwarded-For', '10.0.0.1', 'Connection', 'keep-alive, X-Secret', 'X-Secret', '1', 'X-Kept', 'a', 'x-forwarded-for', '10.0.0.2', 'TE', 'trailers'];
    expect(podRequestHeaders(raw, { clientIp: '127.0.0.9', proto: 'http', proxiedHeader: proxied })).toEqual([
      'Host', 'r.ns.kpa.local',
      'X-Kept', 'a',
      'x-forwarded-for', '10.0.0.1, 10.0.0.2, 127.0.0.9',
      'x-forwarded-proto', 'http',
      'x-forwarded-host', 'r.ns.kpa.local',
      'k-proxied-by', 'activator',
    ]);
  });

  it('keeps a front proxy\'s X-Forwarded-Proto/-Host; removes a client-sent proxied header whatever its case', () => {
    const raw = ['host', 'h', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'outer', 'K-Proxied-By', 'activator'];
    expect(podRequestHeaders(raw, { clientIp: undefined, proto: 'http', proxiedHeader: { ...proxied, set: false } })).toEqual(['host', 'h', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Host', 'outer']);
  });

  it('response headers: hop-by-hop and Connection-named ones dropped, repeats (Set-Cookie) kept', () => {
    const raw = ['Content-Type', 'text/plain', 'Connection', 'close', 'Keep-Alive', 'timeout=5', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Transfer-Encoding', 'chunked'];
    expect(endToEndHeaders(raw)).toEqual(['Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']);
  });
});

describe('classifyFailure (which failed attempts go to another pod)', () => {
  const fresh = { connected: false, reused: false, bodyStarted: false, responded: false, timedOut: false };
  const err = (code: string, message = code): NodeJS.ErrnoException => Object.assign(new Error(message), { code });
  it.each([
    { name: 'refused before connect, streamed body', e: err('ECONNREFUSED'), s: fresh, method: 'POST', replayable: false, want: 'connect' },
    { name: 'reset before connect', e: err('ECONNRESET'), s: fresh, method: 'POST', replayable: false, want: 'connect' },
    { name: 'reset on a reused keep-alive socket, buffered body', e: err('ECONNRESET'), s: { ...fresh, connected: true, reused: true }, method: 'POST', replayable: true, want: 'reset' },
    { name: 'hang-up on a fresh socket, idempotent GET', e: err('ECONNRESET', 'socket hang up'), s: { ...fresh, connected: true }, method: 'GET', replayable: true, want: 'reset' },
    { name: 'hang-up on a fresh socket, POST: maybe processed', e: err('ECONNRESET', 'socket hang up'), s: { ...fresh, connected: true }, method: 'POST', replayable: true, want: undefined },
    { name: 'reset after a streamed body began', e: err('ECONNRESET'), s: { ...fresh, connected: true, reused: true, bodyStarted: true }, method: 'PUT', replayable: false, want: undefined },
    { name: 'after the response began', e: err('ECONNRESET'), s: { ...fresh, connected: true, responded: true }, method: 'GET', replayable: true, want: undefined },
    { name: 'revision timeout', e: err('ECONNRESET'), s: { ...fresh, connected: true, timedOut: true }, method: 'GET', replayable: true, want: undefined },
  ])('$name → $want', ({ e, s, method, replayable, want }) => {
    expect(classifyFailure(e, s, method, replayable)).toBe(want);
  });
});
