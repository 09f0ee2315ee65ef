import { describe, expect, it } from '@jest/globals';
import type { SecondSample } from '../src/result.js';
import { summarize } from '../src/summary.js';

/** Samples from compact columns: load, ready, replicas, panic (1/0), one per second. */
function samples(rows: Array<[number, number, number, number]>): SecondSample[] {
  return rows.map(([load, ready, replicas, panic], tS) => ({ tS, load, concurrency: load, ready, replicas, want: replicas, panic: panic === 1, mode: 'proxy', waiting: ready === 0 ? load : 0 }));
}

describe('summarize', () => {
  it('measures a burst from zero and back', () => {
    const s = summarize(samples([
      [0, 0, 0, 0],
      [10, 0, 2, 1],
      [10, 0, 2, 1],
      [10, 2, 2, 0],
      [0, 2, 2, 1],
      [0, 1, 1, 0],
      [0, 0, 0, 0],
    ]));
    expect(s).toEqual({
      durationS: 6,
      maxReadyPods: 2,
      maxReplicas: 2,
      firstLoadS: 1,
      timeToFirstReadyPodS: 2,
      loadEndS: 4,
      timeBackToZeroS: 2,
      panicSeconds: 3,
      panicEpisodes: 2,
      maxWaiting: 10,
    });
  });

  it('has nulls for what never happened', () => {
    const s = summarize(samples([
      [0, 1, 1, 0],
      [5, 1, 1, 0],
      [5, 1, 1, 0],
    ]));
    expect(s).toMatchObject({ firstLoadS: 1, timeToFirstReadyPodS: 0, loadEndS: null, timeBackToZeroS: null, panicSeconds: 0, panicEpisodes: 0 });
    expect(summarize(samples([[0, 0, 0, 0]]))).toMatchObject({ firstLoadS: null, timeToFirstReadyPodS: null, loadEndS: null });
  });

  it('has a null time back to zero when pods are still there at the end', () => {
    expect(summarize(samples([[5, 1, 1, 0], [0, 1, 1, 0]]))).toMatchObject({ loadEndS: 1, timeBackToZeroS: null });
  });
});
