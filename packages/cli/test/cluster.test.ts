import { describe, expect, it } from '@jest/globals';
import { createCluster } from '../src/cluster.js';

describe('createCluster', () => {
  it('starts with the initial pods ready', () => {
    const c = createCluster({ podStartDelayMs: 5000, podStopDelayMs: 0 }, { nowMs: 0, readyPods: 2 });
    expect(c.counts(0)).toEqual({ ready: 2, starting: 0, terminating: 0, replicas: 2 });
    expect(c.readyPods(0).map((p) => p.name)).toEqual(['pod-1', 'pod-2']);
  });

  it('makes new pods ready after the start delay', () => {
    const c = createCluster({ podStartDelayMs: 5000, podStopDelayMs: 0 }, { nowMs: 0, readyPods: 0 });
    c.scaleTo(3, 1000);
    expect(c.counts(5999)).toEqual({ ready: 0, starting: 3, terminating: 0, replicas: 3 });
    expect(c.counts(6000)).toEqual({ ready: 3, starting: 0, terminating: 0, replicas: 3 });
  });

  it('removes starting pods first, then the newest ready ones, which linger for the stop delay', () => {
    const c = createCluster({ podStartDelayMs: 5000, podStopDelayMs: 3000 }, { nowMs: 0, readyPods: 2 });
    c.scaleTo(4, 1000); // pod-3 and pod-4 start, ready at 6000
    c.scaleTo(1, 2000); // removes pod-4, pod-3 (starting) then pod-2 (newest ready)
    expect(c.readyPods(2000).map((p) => p.name)).toEqual(['pod-1']);
    expect(c.counts(2000)).toEqual({ ready: 1, starting: 0, terminating: 3, replicas: 1 });
    c.advance(4999);
    expect(c.counts(4999).terminating).toBe(3);
    c.advance(5000);
    expect(c.counts(5000)).toEqual({ ready: 1, starting: 0, terminating: 0, replicas: 1 });
  });

  it('scales to zero and back with fresh names', () => {
    const c = createCluster({ podStartDelayMs: 0, podStopDelayMs: 0 }, { nowMs: 0, readyPods: 1 });
    c.scaleTo(0, 1000);
    c.advance(1000);
    expect(c.counts(1000)).toEqual({ ready: 0, starting: 0, terminating: 0, replicas: 0 });
    c.scaleTo(1, 2000);
    expect(c.readyPods(2000).map((p) => p.name)).toEqual(['pod-2']);
  });
});
