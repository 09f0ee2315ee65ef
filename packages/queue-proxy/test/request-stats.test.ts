import { describe, expect, it } from '@jest/globals';
import { RequestStats } from '../src/request-stats.js';

describe('RequestStats', () => {
  it('averages in-flight requests over the period, weighted by time', () => {
    const s = new RequestStats(0);
    s.requestIn(false, 0);
    s.requestIn(true, 500);
    expect(s.report(1000)).toEqual({ averageConcurrency: 1.5, averageProxiedConcurrency: 0.5, requestCount: 2, proxiedRequestCount: 1, periodMs: 1000 });
  });

  it('carries requests in flight into the next period without counting them again', () => {
    const s = new RequestStats(0);
    s.requestIn(false, 250);
    s.report(1000);
    s.requestOut(false, 1500);
    expect(s.report(2000)).toEqual({ averageConcurrency: 0.5, averageProxiedConcurrency: 0, requestCount: 0, proxiedRequestCount: 0, periodMs: 1000 });
    expect(s.concurrency).toBe(0);
  });

  it('divides by the real period length (a late tick does not inflate the average)', () => {
    const s = new RequestStats(0);
    s.requestIn(false, 0);
    expect(s.report(1100).averageConcurrency).toBeCloseTo(1);
  });

  it('N clients each holding a request for 200 ms every 250 ms → 0.8 × N', () => {
    const s = new RequestStats(0);
    const clients = 7;
    for (let t = 0; t < 1000; t += 250) {
      for (let c = 0; c < clients; c++) s.requestIn(c % 2 === 0, t + c);
      for (let c = 0; c < clients; c++) s.requestOut(c % 2 === 0, t + c + 200);
    }
    const r = s.report(1000);
    expect(r.averageConcurrency).toBeCloseTo(0.8 * clients, 10);
    expect(r.averageProxiedConcurrency).toBeCloseTo(0.8 * 4, 10);
    expect(r.requestCount).toBe(28);
    expect(r.proxiedRequestCount).toBe(16);
  });

  it('a zero-length period reports the instantaneous concurrency', () => {
    const s = new RequestStats(5);
    s.requestIn(true, 5);
    expect(s.report(5)).toMatchObject({ averageConcurrency: 1, averageProxiedConcurrency: 1, periodMs: 0 });
  });

  it('ignores a clock stepping backwards', () => {
    const s = new RequestStats(100);
    s.requestIn(false, 100);
    s.requestOut(false, 50);
    expect(s.report(200)).toMatchObject({ averageConcurrency: 0, periodMs: 100 });
  });
});
