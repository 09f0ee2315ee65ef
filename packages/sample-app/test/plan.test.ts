import { describe, expect, it } from '@jest/globals';
import { planResponse, type Behaviour } from '@kpa-ts/sample-app';

const base: Behaviour = { podName: 'rev-abcde', latencyMs: 0, jitterMs: 0, cpuMs: 0, failureRate: 0 };

/** A fixed sequence of "random" draws. */
function draws(...values: number[]): () => number {
  let i = 0;
  return () => {
    const v = values[i];
    i += 1;
    if (v === undefined) throw new Error('test drew more random numbers than it provided');
    return v;
  };
}

describe('planResponse', () => {
  it.each<{ name: string; url: string; b: Partial<Behaviour>; random: number[]; want: { status: number; delayMs: number; cpuMs: number } }>([
    { name: 'defaults: 200 at once, no randomness drawn', url: '/', b: {}, random: [], want: { status: 200, delayMs: 0, cpuMs: 0 } },
    { name: 'LATENCY_MS applies', url: '/x', b: { latencyMs: 250 }, random: [], want: { status: 200, delayMs: 250, cpuMs: 0 } },
    { name: '?latency overrides LATENCY_MS', url: '/?latency=40', b: { latencyMs: 250 }, random: [], want: { status: 200, delayMs: 40, cpuMs: 0 } },
    { name: '?latency=0 overrides to no wait', url: '/?latency=0', b: { latencyMs: 250 }, random: [], want: { status: 200, delayMs: 0, cpuMs: 0 } },
    { name: 'CPU_MS applies', url: '/', b: { cpuMs: 5 }, random: [], want: { status: 200, delayMs: 0, cpuMs: 5 } },
    { name: '?cpu overrides CPU_MS', url: '/?cpu=12', b: { cpuMs: 5 }, random: [], want: { status: 200, delayMs: 0, cpuMs: 12 } },
    // failure draw 0.2 < 0.5 → 500; the failure draw comes first
    { name: 'draw below FAILURE_RATE → 500', url: '/', b: { failureRate: 0.5 }, random: [0.2], want: { status: 500, delayMs: 0, cpuMs: 0 } },
    { name: 'draw at FAILURE_RATE → 200', url: '/', b: { failureRate: 0.5 }, random: [0.5], want: { status: 200, delayMs: 0, cpuMs: 0 } },
    { name: 'FAILURE_RATE 1 always fails', url: '/', b: { failureRate: 1 }, random: [0.999], want: { status: 500, delayMs: 0, cpuMs: 0 } },
    // jitter: 100 + 0.25 × 40 = 110
    { name: 'jitter adds draw × JITTER_MS', url: '/', b: { latencyMs: 100, jitterMs: 40 }, random: [0.25], want: { status: 200, delayMs: 110, cpuMs: 0 } },
    // failure draw 0.9 (no failure), then jitter draw 0.5 → 10 + 0.5 × 20 = 20
    { name: 'failure then jitter draws, in that order', url: '/?latency=10', b: { failureRate: 0.1, jitterMs: 20 }, random: [0.9, 0.5], want: { status: 200, delayMs: 20, cpuMs: 0 } },
    { name: 'bad ?latency → 400', url: '/?latency=abc', b: {}, random: [], want: { status: 400, delayMs: 0, cpuMs: 0 } },
    { name: 'negative ?latency → 400', url: '/?latency=-1', b: {}, random: [], want: { status: 400, delayMs: 0, cpuMs: 0 } },
    { name: 'empty ?cpu → 400', url: '/?cpu=', b: {}, random: [], want: { status: 400, delayMs: 0, cpuMs: 0 } },
    { name: 'huge ?cpu → 400', url: '/?cpu=1e9', b: {}, random: [], want: { status: 400, delayMs: 0, cpuMs: 0 } },
  ])('$name', ({ url, b, random, want }) => {
    const plan = planResponse(url, { ...base, ...b }, draws(...random));
    expect({ status: plan.status, delayMs: plan.delayMs, cpuMs: plan.cpuMs }).toEqual(want);
  });

  it('names the pod in the body', () => {
    expect(planResponse('/', base, draws()).body).toBe('hello from rev-abcde\n');
    expect(planResponse('/', { ...base, failureRate: 1 }, draws(0)).body).toBe('injected failure from rev-abcde\n');
  });

  it('names the bad query parameter in the 400 body', () => {
    expect(planResponse('/?cpu=x', base, draws()).body).toContain('cpu="x"');
  });
});
