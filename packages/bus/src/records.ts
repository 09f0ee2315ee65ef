import { z } from 'zod';
import { defineCodec, enumField, numberField, stringField, type Codec } from './codec.js';

/** One per pod (or activator) per revision per second, on `kpa:stats:{shard}`. */
export interface StatRecord {
  ns: string;
  rev: string;
  pod: string;
  /** ms since epoch at the end of the 1 s period */
  ts: number;
  /** time-weighted average concurrency over the period */
  conc: number;
  /** the proxied part (requests carrying the activator's header) */
  pconc: number;
  /** requests received in the period */
  reqs: number;
  /** the proxied part */
  preqs: number;
  /** seconds since the reporting process started */
  uptime: number;
  src: 'qp' | 'act';
}

/** The activator asks for a revision at zero to be scaled up at once, on `kpa:poke`. */
export interface PokeRecord {
  ns: string;
  rev: string;
  /** ms since epoch when the activator saw the request */
  ts: number;
  /** the activator replica that pokes */
  activator: string;
}

/** The autoscaler's latest word on a revision, on `kpa:decisions` and `kpa:decisions:latest`. */
export interface DecisionRecord {
  ns: string;
  rev: string;
  /** ms since epoch of the decision */
  ts: number;
  desired: number;
  ready: number;
  /** excess burst capacity: < 0 → the activator stays in the path */
  ebc: number;
  mode: 'proxy' | 'serve';
  numActivators: number;
  /** per-pod capacity the activator throttles to (0: unlimited) */
  podCapacity: number;
}

/** Kubernetes object names are at most 253 characters. */
const NAME_MAX = 253;
/** Timestamps up to year ~2255 (ms), always safe integers. */
const TS_MAX = 9_000_000_000_000;
/** Concurrency / rates above this are garbage, not load. */
const LOAD_MAX = 1e9;
/** Pod counts fit a 32-bit signed integer, as Kubernetes replicas do. */
const PODS_MAX = 2_147_483_647;

const name = (): ReturnType<typeof stringField> => stringField(NAME_MAX);
const ts = (): ReturnType<typeof numberField> => numberField(z.number().int().min(0).max(TS_MAX));
const load = (): ReturnType<typeof numberField> => numberField(z.number().min(0).max(LOAD_MAX));
const pods = (): ReturnType<typeof numberField> => numberField(z.number().int().min(0).max(PODS_MAX));

export const statCodec: Codec<StatRecord> = defineCodec<StatRecord>('stats', '1', {
  ns: name(),
  rev: name(),
  pod: name(),
  ts: ts(),
  conc: load(),
  pconc: load(),
  reqs: load(),
  preqs: load(),
  uptime: numberField(z.number().min(0).max(TS_MAX / 1000)),
  src: enumField(['qp', 'act']),
});

export const pokeCodec: Codec<PokeRecord> = defineCodec<PokeRecord>('poke', '1', {
  ns: name(),
  rev: name(),
  ts: ts(),
  activator: name(),
});

export const decisionCodec: Codec<DecisionRecord> = defineCodec<DecisionRecord>('decisions', '1', {
  ns: name(),
  rev: name(),
  ts: ts(),
  desired: pods(),
  ready: pods(),
  ebc: numberField(z.number().min(-LOAD_MAX).max(LOAD_MAX)),
  mode: enumField(['proxy', 'serve']),
  numActivators: pods(),
  podCapacity: load(),
});
