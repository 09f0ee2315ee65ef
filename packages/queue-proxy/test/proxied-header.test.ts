import { describe, expect, it } from '@jest/globals';
import { PROXIED_HEADER as BUS_HEADER, PROXIED_HEADER_VALUE as BUS_VALUE } from '@kpa-ts/bus';
import { PROXIED_HEADER, PROXIED_HEADER_VALUE } from '../src/proxy-handler.js';

describe('the activator header', () => {
  it('is the one the bus pins (the proxy keeps its own copy so it can run without loading the bus)', () => {
    expect(PROXIED_HEADER).toBe(BUS_HEADER);
    expect(PROXIED_HEADER_VALUE).toBe(BUS_VALUE);
  });
});
