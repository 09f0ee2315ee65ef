// Pod IPs: each pod gets its own address in a loopback range (Linux routes all of 127.0.0.0/8 to
// `lo`, so no interface is needed). A released address goes to the back of the line, so a pod that
// just died does not hand its address (and maybe a lingering socket) to the next one at once.
import { createServer } from 'node:net';

export function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** The host addresses of a CIDR inside 127.0.0.0/8 (`127.20.3.0/24` → 127.20.3.1 .. 127.20.3.254). */
export function cidrHosts(cidr: string): { first: number; last: number } {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(cidr);
  const base = m === null ? undefined : ipToInt(m[1] as string);
  const prefix = Number(m?.[2]);
  if (base === undefined || !(prefix >= 8 && prefix <= 30)) throw new Error(`podCIDR ${JSON.stringify(cidr)}: must be a CIDR like 127.20.0.0/16 (prefix 8..30)`);
  const size = 2 ** (32 - prefix);
  const network = base - (base % size);
  if (Math.floor(network / 2 ** 24) !== 127) throw new Error(`podCIDR ${JSON.stringify(cidr)}: must lie inside 127.0.0.0/8`);
  return { first: network + 1, last: network + size - 2 };
}

/** Whether `port` can be bound on `ip` right now (nothing else listens there). */
export function canBind(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host: ip, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

export class AddressPool {
  readonly #free: number[] = [];
  readonly #used = new Set<number>();

  constructor(cidr: string) {
    const { first, last } = cidrHosts(cidr);
    for (let n = first; n <= last; n++) this.#free.push(n);
  }

  get available(): number {
    return this.#free.length;
  }

  /**
   * The next address on which every one of `ports` can be bound; addresses that fail the check go
   * to the back. Throws when none is left.
   */
  async allocate(ports: readonly number[]): Promise<string> {
    for (let tries = this.#free.length; tries > 0; tries--) {
      const n = this.#free.shift() as number;
      const ip = intToIp(n);
      const checks = await Promise.all(ports.map((p) => canBind(ip, p)));
      if (checks.every(Boolean)) {
        this.#used.add(n);
        return ip;
      }
      this.#free.push(n);
    }
    throw new Error(`no free pod IP (ports ${ports.join(', ')} taken on every address)`);
  }

  release(ip: string): void {
    const n = ipToInt(ip);
    if (n === undefined || !this.#used.delete(n)) return;
    this.#free.push(n);
  }
}
