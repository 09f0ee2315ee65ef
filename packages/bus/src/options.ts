import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { BusError } from './errors.js';

/** Options every bus component takes: where Redis is, the key prefix, and the injected logger/registry. */
export interface CommonOptions {
  redisUrl: string;
  /** prepended to every key (tests use a random one each) */
  prefix?: string;
  /** prom-client registry for the bus metrics; a private one when absent (never the global) */
  registry?: Registry;
  /** pino logger; silent when absent */
  logger?: Logger;
}

export const redisUrlSchema = z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://');
export const prefixSchema = z.string().max(128).regex(/^[^\s{}]*$/, 'no blanks or braces');
export const int = (min: number, max: number): z.ZodNumber => z.number().int().min(min).max(max);

/**
 * Parses component options with `schema`, throwing a BUS_INVALID_OPTIONS BusError that names the
 * option, its value and the allowed range. Logger and registry are passed through untouched.
 */
export function parseOptions<S extends z.ZodType>(what: string, schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path ?? [];
  let value: unknown = input;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
  const shown = JSON.stringify(value) ?? String(value);
  throw new BusError('BUS_INVALID_OPTIONS', `${what}: ${path.join('.') || 'options'} = ${shown}: ${issue?.message ?? 'invalid'}`);
}

/** The injected logger, or a silent one. */
export function loggerOf(logger: Logger | undefined, component: string): Logger {
  return (logger ?? pino({ enabled: false })).child({ component });
}

/** The injected registry, or a private one. */
export function registryOf(registry: Registry | undefined): Registry {
  return registry ?? new Registry();
}
