import { describe, expect, it } from '@jest/globals';
import {
  applyDecision,
  computeExcessBurstCapacity,
  computeNumActivators,
  initialDeciderStatus,
  toInt32,
  updateDeciderStatus,
  type ScaleDecision,
} from '@kpa-ts/scaling';

const spec = { targetBurstCapacity: 211, totalValue: 100, activatorCapacity: 100 };
const decision = (desiredPodCount: number, excessBurstCapacity: number, valid = true): ScaleDecision => ({
  valid, desiredPodCount, excessBurstCapacity, numActivators: 2, panicking: false,
});

describe('decider formulas (kpa.md d.2, d.8, d.9)', () => {
  it.each([
    ['defaults: 1 × 100 - 211', spec, 1, -111],
    ['initial scale 3: 300 - 211', spec, 3, 89],
    ['TBC 0', { ...spec, targetBurstCapacity: 0 }, 3, 0],
    ['TBC -1', { ...spec, targetBurstCapacity: -1 }, 3, -1],
    ['fraction truncated toward zero', { ...spec, targetBurstCapacity: 10.5, totalValue: 1 }, 1, -9],
  ])('initial EBC, %s', (_n, s, initialScale, want) => {
    expect(initialDeciderStatus(s, initialScale)).toEqual({ desiredScale: -1, excessBurstCapacity: want });
  });

  it.each([
    [0, spec, 3],
    [10, spec, 13],
    [10, { ...spec, targetBurstCapacity: 0 }, 2],
    [1, { ...spec, targetBurstCapacity: -1 }, 2],
    [5, { ...spec, targetBurstCapacity: -1, activatorCapacity: 50 }, 10],
  ])('activators for %p ready pods', (ready, s, want) => {
    expect(computeNumActivators(ready, s)).toBe(want);
  });

  it('EBC from the raw ready count and the panic average', () => {
    expect(computeExcessBurstCapacity(0, spec, 0)).toBe(-211);
    expect(computeExcessBurstCapacity(5, spec, 100.2)).toBe(188);
  });

  it('int32 conversion truncates and saturates', () => {
    expect([toInt32(2.9), toInt32(-2.9), toInt32(1e12), toInt32(Number.NaN)]).toEqual([2, -2, 2_147_483_647, 0]);
  });
});

describe('decider status (Knative multiscaler)', () => {
  it('ignores invalid decisions', () => {
    const s = initialDeciderStatus(spec, 1);
    expect(applyDecision(s, decision(0, 0, false))).toEqual({ status: s, changed: false });
    expect(updateDeciderStatus(s, decision(0, 0, false))).toBe(false);
    expect(s).toEqual({ desiredScale: -1, excessBurstCapacity: -111 });
  });

  it('changes on a new desired count or an EBC sign change, always keeps the latest EBC', () => {
    const s = { desiredScale: 3, excessBurstCapacity: -5 };
    expect(applyDecision(s, decision(3, -50))).toEqual({ status: { desiredScale: 3, excessBurstCapacity: -50 }, changed: false });
    expect(applyDecision(s, decision(3, 0)).changed).toBe(true);
    expect(applyDecision(s, decision(4, -5)).changed).toBe(true);
    expect(updateDeciderStatus(s, decision(3, 7))).toBe(true);
    expect(s).toEqual({ desiredScale: 3, excessBurstCapacity: 7 });
    expect(updateDeciderStatus(s, decision(3, 9))).toBe(false);
  });
});
