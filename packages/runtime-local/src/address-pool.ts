import { RuntimeError } from './errors.js';

const LOOPBACK_FIRST = 0x7f000000; // 127.0.0.0
const LOOPBACK_LAST = 0x7fffffff; // 127.255.255.255

function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/**
 * The usable addresses of a CIDR inside 127.0.0.0/8: without the network and broadcast
 * addresses for prefixes up to /30 (127.1.0.0/16 → 127.1.0.1 .. 127.1.255.254).
 */
export function parseIpRange(cidr: string): { first: number; last: number } {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(cidr);
  const base = m?.[1] === undefined ? undefined : ipToInt(m[1]);
  const prefix = Number(m?.[2]);
  if (base === undefined || !(prefix >= 8 && prefix <= 32)) {
    throw new RuntimeError('RUNTIME_INVALID_OPTIONS', `ipRange=${JSON.stringify(cidr)}: must be a CIDR like 127.1.0.0/16 with a prefix in 8..32`);
  }
  const size = 2 ** (32 - prefix);
  const network = base - (base % size);
  if (network < LOOPBACK_FIRST || network + size - 1 > LOOPBACK_LAST) {
    throw new RuntimeError('RUNTIME_INVALID_OPTIONS', `ipRange=${JSON.stringify(cidr)}: must lie inside 127.0.0.0/8 (pods only get loopback addresses)`);
  }
  if (size <= 2) return { first: network, last: network + size - 1 };
  return { first: network + 1, last: network + size - 2 };
}

/**
 * Hands out addresses round-robin from a cursor, skipping those in use. A released address is only
 * reused after the cursor wraps, so a just-gone pod's address (maybe still in a router's table, or
 * taken by a stray process) is not handed out again at once, and a bad address is skipped by moving on.
 */
export class AddressPool {
  readonly #first: number;
  readonly #size: number;
  #cursor = 0;
  readonly #inUse = new Set<number>();

  constructor(cidr: string) {
    const { first, last } = parseIpRange(cidr);
    this.#first = first;
    this.#size = last - first + 1;
  }

  get size(): number {
    return this.#size;
  }

  get inUse(): number {
    return this.#inUse.size;
  }

  /** The next free address, reserved; undefined when every address is in use. */
  allocate(): string | undefined {
    for (let i = 0; i < this.#size; i += 1) {
      const n = this.#first + ((this.#cursor + i) % this.#size);
      if (this.#inUse.has(n)) continue;
      this.#cursor = (this.#cursor + i + 1) % this.#size;
      this.#inUse.add(n);
      return intToIp(n);
    }
    return undefined;
  }

  release(ip: string): void {
    const n = ipToInt(ip);
    if (n !== undefined) this.#inUse.delete(n);
  }
}
