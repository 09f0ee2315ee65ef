import { describe, expect, it } from '@jest/globals';
import { Readiness } from '../src/readiness.js';

const never = (): Promise<boolean> => new Promise(() => undefined);

function make(successThreshold: number, failureThreshold: number): { r: Readiness; changes: boolean[] } {
  const changes: boolean[] = [];
  const r = new Readiness({ probe: never, periodMs: 1000, successThreshold, failureThreshold, onChange: (ready) => changes.push(ready) });
  return { r, changes };
}

describe('Readiness thresholds', () => {
  it.each([
    // [successThreshold, failureThreshold, probe results, readiness after each]
    [1, 3, [false, true], [false, true]],
    [2, 3, [true, false, true, true], [false, false, false, true]],
    [1, 3, [true, false, false, true, false, false, false], [true, true, true, true, true, true, false]],
    [1, 1, [true, false, true], [true, false, true]],
  ])('success %i / failure %i: %j → %j', (st, ft, results, expected) => {
    const { r } = make(st, ft);
    expect(results.map((ok) => (r.record(ok), r.ready))).toEqual(expected);
  });

  it('draining makes it unready for good and reports the change', () => {
    const { r, changes } = make(1, 3);
    r.record(true);
    r.markDraining();
    r.record(true);
    expect(r.ready).toBe(false);
    expect(r.draining).toBe(true);
    expect(changes).toEqual([true, false]);
  });
});
