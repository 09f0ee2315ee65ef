import { describe, expect, it } from '@jest/globals';
import { burnCpu, createHandler, type Behaviour, type ResponseLike } from '@kpa-ts/sample-app';

const behaviour: Behaviour = { podName: 'pod-1', latencyMs: 30, jitterMs: 0, cpuMs: 7, failureRate: 0 };

class FakeResponse implements ResponseLike {
  destroyed = false;
  status: number | undefined;
  headers: Record<string, string | number> = {};
  body: string | undefined;
  writeHead(status: number, headers: Record<string, string | number>): void {
    this.status = status;
    this.headers = headers;
  }
  end(body: string): void {
    this.body = body;
  }
}

function setup(extra: Partial<Parameters<typeof createHandler>[0]> = {}) {
  const calls: string[] = [];
  let resumed = 0;
  const handler = createHandler({
    behaviour,
    random: () => 0.5,
    sleep: async (ms) => {
      calls.push(`sleep ${ms}`);
    },
    burnCpu: (ms) => calls.push(`cpu ${ms}`),
    ...extra,
  });
  const req = (url: string) => ({ url, resume: () => (resumed += 1) });
  return { handler, calls, req, resumed: () => resumed };
}

describe('createHandler', () => {
  it('drains the body, sleeps, then burns CPU, then answers 200 naming the pod', async () => {
    const { handler, calls, req, resumed } = setup();
    const res = new FakeResponse();
    await handler(req('/'), res);
    expect(calls).toEqual(['sleep 30', 'cpu 7']);
    expect(resumed()).toBe(1);
    expect(res.status).toBe(200);
    expect(res.body).toBe('hello from pod-1\n');
    expect(res.headers['x-pod']).toBe('pod-1');
    expect(res.headers['content-length']).toBe(Buffer.byteLength('hello from pod-1\n'));
  });

  it('skips sleep and CPU when both are 0', async () => {
    const { handler, calls, req } = setup();
    const res = new FakeResponse();
    await handler(req('/?latency=0&cpu=0'), res);
    expect(calls).toEqual([]);
    expect(res.status).toBe(200);
  });

  it('does not write to a response whose client went away meanwhile', async () => {
    const res = new FakeResponse();
    const { handler, req } = setup({
      sleep: async () => {
        res.destroyed = true;
      },
    });
    await handler(req('/'), res);
    expect(res.status).toBeUndefined();
  });

  it('adds the extra headers (connection: close while draining)', async () => {
    const { handler, req } = setup({ extraHeaders: () => ({ connection: 'close' }) });
    const res = new FakeResponse();
    await handler(req('/'), res);
    expect(res.headers['connection']).toBe('close');
  });

  it('answers 400 for a bad query without sleeping', async () => {
    const { handler, calls, req } = setup();
    const res = new FakeResponse();
    await handler(req('/?latency=soon'), res);
    expect(calls).toEqual([]);
    expect(res.status).toBe(400);
  });
});

describe('burnCpu', () => {
  it('spins until the injected clock passes the deadline', () => {
    let t = 100;
    let reads = 0;
    burnCpu(5, () => {
      reads += 1;
      t += 1;
      return t;
    });
    // the first read sets the deadline 101 + 5 = 106; reads 102..105 are below it, 106 stops the loop
    expect(t).toBe(106);
    expect(reads).toBe(6);
  });
});
