import { describe, expect, it } from '@jest/globals';
import { makePodName } from '@kpa-ts/runtime-local';

const seq = (...values: number[]): (() => number) => {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
};

describe('makePodName', () => {
  it('is <revision>-<5 chars of the Kubernetes suffix alphabet>', () => {
    expect(makePodName('hello-00001', seq(0))).toBe('hello-00001-bbbbb');
    expect(makePodName('r', seq(0.9999))).toBe('r-99999');
    // 27 symbols: 0.5 → index 13 ('r'), 0.04 → index 1 ('c')
    expect(makePodName('r', seq(0.5, 0.04))).toBe('r-rcrcr');
  });

  it('never indexes past the alphabet, even for a random() of 1', () => {
    expect(makePodName('r', seq(1))).toBe('r-99999');
  });
});
