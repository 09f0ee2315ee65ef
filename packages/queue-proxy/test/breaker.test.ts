import { describe, expect, it } from '@jest/globals';
import { Breaker, QUEUE_DEPTH_PER_SLOT } from '../src/breaker.js';

describe('Breaker', () => {
  it('grants up to capacity, then queues FIFO, then overflows', () => {
    const b = new Breaker({ capacity: 2, queueDepth: 2 });
    const granted: string[] = [];
    expect(b.enter(() => granted.push('a')).kind).toBe('granted');
    expect(b.enter(() => granted.push('b')).kind).toBe('granted');
    expect(b.enter(() => granted.push('c')).kind).toBe('queued');
    expect(b.enter(() => granted.push('d')).kind).toBe('queued');
    expect(b.enter(() => granted.push('e')).kind).toBe('overflow');
    expect({ inFlight: b.inFlight, waiting: b.waiting, rejections: b.rejections }).toEqual({ inFlight: 2, waiting: 2, rejections: 1 });
    b.leave();
    expect(granted).toEqual(['c']);
    b.leave();
    expect(granted).toEqual(['c', 'd']);
    expect({ inFlight: b.inFlight, waiting: b.waiting }).toEqual({ inFlight: 2, waiting: 0 });
    b.leave();
    b.leave();
    expect(b.inFlight).toBe(0);
  });

  it('sizes the queue as 10 × capacity by default (Knative)', () => {
    expect(new Breaker({ capacity: 3 }).queueDepth).toBe(3 * QUEUE_DEPTH_PER_SLOT);
  });

  it('a cancelled waiter leaves the queue and is never granted', () => {
    const b = new Breaker({ capacity: 1, queueDepth: 3 });
    const granted: string[] = [];
    b.enter(() => granted.push('a'));
    const q1 = b.enter(() => granted.push('b'));
    const q2 = b.enter(() => granted.push('c'));
    const q3 = b.enter(() => granted.push('d'));
    if (q1.kind !== 'queued' || q2.kind !== 'queued' || q3.kind !== 'queued') throw new Error('expected queued');
    q2.cancel();
    q2.cancel(); // idempotent
    expect(b.waiting).toBe(2);
    // the freed queue place can be taken again
    expect(b.enter(() => granted.push('e')).kind).toBe('queued');
    b.leave();
    b.leave();
    b.leave();
    expect(granted).toEqual(['b', 'd', 'e']);
    q1.cancel(); // after its grant: no effect
    expect(b.waiting).toBe(0);
    expect(b.inFlight).toBe(1);
  });

  it('cancelling head and tail keeps the list consistent', () => {
    const b = new Breaker({ capacity: 1, queueDepth: 5 });
    const granted: number[] = [];
    b.enter(() => granted.push(0));
    const qs = [1, 2, 3].map((n) => b.enter(() => granted.push(n)));
    for (const q of [qs[0], qs[2]]) if (q?.kind === 'queued') q.cancel();
    b.leave();
    expect(granted).toEqual([2]);
    b.leave();
    expect(b.inFlight).toBe(0);
    expect(b.enter(() => granted.push(9)).kind).toBe('granted');
  });

  it('a new request does not jump the queue while others wait', () => {
    const b = new Breaker({ capacity: 1, queueDepth: 1 });
    b.enter(() => undefined);
    expect(b.enter(() => undefined).kind).toBe('queued');
    b.leave(); // the slot goes to the waiter
    expect(b.enter(() => undefined).kind).toBe('queued');
  });

  it.each([0, -1, 1.5])('rejects capacity %p', (capacity) => {
    expect(() => new Breaker({ capacity })).toThrow(RangeError);
  });

  it('leave() without a grant is a bug', () => {
    expect(() => new Breaker({ capacity: 1 }).leave()).toThrow();
  });
});
