import { createConnection } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { startRedis } from '@kpa-ts/testkit';

function roundTrip(port: number, cmd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ port, host: '127.0.0.1' }, () => s.write(cmd));
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString());
    });
    s.once('error', reject);
  });
}

describe('startRedis', () => {
  it('starts a real redis-server, restarts it on the same port, and removes it', async () => {
    const redis = await startRedis();
    try {
      expect(await roundTrip(redis.port, 'PING\r\n')).toBe('+PONG\r\n');
      await redis.stop({ hard: true });
      await expect(roundTrip(redis.port, 'PING\r\n')).rejects.toThrow();
      await redis.restart();
      expect(await roundTrip(redis.port, 'PING\r\n')).toBe('+PONG\r\n');
    } finally {
      await redis.close();
    }
  });
});
