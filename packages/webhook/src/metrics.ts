// The webhook's Prometheus metrics, on a registry passed in (never the global one).
import { Counter, Histogram, type Registry } from 'prom-client';
import type { AdmissionResult } from './admit.js';

export type AdmissionOutcome = AdmissionResult | 'invalid';

export interface WebhookMetrics {
  /** One admission request answered; `invalid` = a body we could not parse (HTTP 400). */
  admission(kind: string, result: AdmissionOutcome, seconds: number): void;
}

const KINDS = new Set(['Pod', 'Deployment', 'ConfigMap']);

export function createWebhookMetrics(registry: Registry): WebhookMetrics {
  const admissions = new Counter<'kind' | 'result'>({
    name: 'kpa_webhook_admissions_total',
    help: 'Admission requests answered, by object kind and result (patched, allowed, skipped, denied, invalid)',
    labelNames: ['kind', 'result'],
    registers: [registry],
  });
  const duration = new Histogram<'kind'>({
    name: 'kpa_webhook_admission_duration_seconds',
    help: 'Time from the first body byte read to the response written',
    labelNames: ['kind'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  return {
    admission(kind, result, seconds) {
      // Bounded label values: anything unexpected is counted as `other`.
      const k = KINDS.has(kind) ? kind : kind === '' ? 'unknown' : 'other';
      admissions.inc({ kind: k, result });
      duration.observe({ kind: k }, seconds);
    },
  };
}
