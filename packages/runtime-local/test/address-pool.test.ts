import { describe, expect, it } from '@jest/globals';
import { AddressPool, parseIpRange, RuntimeError } from '@kpa-ts/runtime-local';

const ip = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

describe('parseIpRange', () => {
  it.each([
    ['127.1.0.0/16', '127.1.0.1', '127.1.255.254'],
    ['127.1.2.0/24', '127.1.2.1', '127.1.2.254'],
    ['127.1.2.77/24', '127.1.2.1', '127.1.2.254'], // host bits are ignored, like a CIDR
    ['127.0.0.0/8', '127.0.0.1', '127.255.255.254'],
    ['127.1.2.4/31', '127.1.2.4', '127.1.2.5'], // /31 and /32: every address is usable
    ['127.1.2.9/32', '127.1.2.9', '127.1.2.9'],
  ])('%s → %s .. %s', (cidr, first, last) => {
    const r = parseIpRange(cidr);
    expect([ip(r.first), ip(r.last)]).toEqual([first, last]);
  });

  it.each(['10.0.0.0/8', '0.0.0.0/0', '126.0.0.0/7', '127.1.0.0', '127.1.0.300/24', '127.1.0.0/33', 'localhost/8'])('rejects %s', (cidr) => {
    expect(() => parseIpRange(cidr)).toThrow(RuntimeError);
    try {
      parseIpRange(cidr);
    } catch (err) {
      expect((err as RuntimeError).code).toBe('RUNTIME_INVALID_OPTIONS');
    }
  });
});

describe('AddressPool', () => {
  it('hands out addresses in order, skipping those in use, and reuses a released one only after wrapping', () => {
    const pool = new AddressPool('127.9.9.0/29'); // 127.9.9.1 .. 127.9.9.6
    expect(pool.size).toBe(6);
    const got = [pool.allocate(), pool.allocate(), pool.allocate()];
    expect(got).toEqual(['127.9.9.1', '127.9.9.2', '127.9.9.3']);
    pool.release('127.9.9.1');
    expect(pool.allocate()).toBe('127.9.9.4'); // not the just-released .1
    expect([pool.allocate(), pool.allocate()]).toEqual(['127.9.9.5', '127.9.9.6']);
    expect(pool.allocate()).toBe('127.9.9.1'); // wrapped; .2 and .3 are still in use
    expect(pool.allocate()).toBeUndefined();
    expect(pool.inUse).toBe(6);
  });

  it('release of an unknown or malformed address is a no-op', () => {
    const pool = new AddressPool('127.9.9.0/30');
    pool.release('127.9.9.1');
    pool.release('garbage');
    expect(pool.inUse).toBe(0);
  });
});
