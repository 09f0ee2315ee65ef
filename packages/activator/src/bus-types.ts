// The records the activator exchanges over the bus.
export type { DecisionRecord, PokeRecord, StatRecord } from '@kpa-ts/bus';
export { PROXIED_HEADER, PROXIED_HEADER_VALUE } from '@kpa-ts/bus';
