// Prometheus metrics of the autoscaler, with Knative's names (pkg/autoscaler/metrics), on a
// registry passed in (never the global one). Per-revision series carry namespace and revision.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { RevisionState, TickOutcome } from './revision-state.js';

type RevLabels = 'namespace' | 'revision';
const REV: RevLabels[] = ['namespace', 'revision'];

export interface AutoscalerMetrics {
  desiredPods: Gauge<RevLabels>;
  actualPods: Gauge<RevLabels>;
  requestedPods: Gauge<RevLabels>;
  panicMode: Gauge<RevLabels>;
  stableConcurrency: Gauge<RevLabels>;
  panicConcurrency: Gauge<RevLabels>;
  targetConcurrency: Gauge<RevLabels>;
  stableRps: Gauge<RevLabels>;
  panicRps: Gauge<RevLabels>;
  targetRps: Gauge<RevLabels>;
  excessBurstCapacity: Gauge<RevLabels>;
  ticks: Counter<'result'>;
  adoptions: Counter<'rule'>;
  reactivations: Counter;
  scaleCalls: Counter<'result'>;
  decisionsPublished: Counter<'reason'>;
  pokes: Counter<'result'>;
  stats: Counter<'result'>;
  annotationErrors: Counter;
  ownedShards: Gauge;
  revisions: Gauge;
}

/** The per-revision gauges, cleared when the revision leaves this replica. */
const perRevision = [
  'desiredPods',
  'actualPods',
  'requestedPods',
  'panicMode',
  'stableConcurrency',
  'panicConcurrency',
  'targetConcurrency',
  'stableRps',
  'panicRps',
  'targetRps',
  'excessBurstCapacity',
] as const satisfies readonly (keyof AutoscalerMetrics)[];

function gauge(registry: Registry, name: string, help: string): Gauge<RevLabels> {
  return new Gauge({ name, help, labelNames: REV, registers: [registry] });
}

export function createAutoscalerMetrics(registry: Registry): AutoscalerMetrics {
  const counter = <L extends string>(name: string, help: string, labelNames: L[] = []): Counter<L> => new Counter({ name, help, labelNames, registers: [registry] });
  return {
    desiredPods: gauge(registry, 'autoscaler_desired_pods', 'Number of pods the autoscaler wants (after bounds and scale-to-zero gating)'),
    actualPods: gauge(registry, 'autoscaler_actual_pods', 'Number of ready pods'),
    requestedPods: gauge(registry, 'autoscaler_requested_pods', 'Number of pods the revision is scaled to (replicas)'),
    panicMode: gauge(registry, 'autoscaler_panic_mode', '1 if the autoscaler is in panic mode, 0 otherwise'),
    stableConcurrency: gauge(registry, 'autoscaler_stable_request_concurrency', 'Average requests in flight over the stable window (revision total)'),
    panicConcurrency: gauge(registry, 'autoscaler_panic_request_concurrency', 'Average requests in flight over the panic window (revision total)'),
    targetConcurrency: gauge(registry, 'autoscaler_target_concurrency_per_pod', 'The desired number of requests in flight per pod'),
    stableRps: gauge(registry, 'autoscaler_stable_requests_per_second', 'Average requests per second over the stable window (revision total)'),
    panicRps: gauge(registry, 'autoscaler_panic_requests_per_second', 'Average requests per second over the panic window (revision total)'),
    targetRps: gauge(registry, 'autoscaler_target_requests_per_second', 'The desired requests per second per pod'),
    excessBurstCapacity: gauge(registry, 'autoscaler_excess_burst_capacity', 'Excess burst capacity observed over the panic window (< 0: activator in path)'),
    ticks: counter('autoscaler_ticks_total', 'Revision ticks by result: valid, no_data (decider had no metrics), backend_error (pods unreadable), history_unavailable (first sight, persisted decisions not loaded)', ['result']),
    adoptions: counter('autoscaler_adoptions_total', 'Revisions this replica started scaling, by first-sight rule (new, running, restored-inactive, restored-active, restored-activating, below-min)', ['rule']),
    reactivations: counter('autoscaler_min_scale_reactivations_total', 'Revisions turned Activating because their lower bound was raised above their replicas'),
    scaleCalls: counter('autoscaler_scale_calls_total', 'Scale calls to the backend by result', ['result']),
    decisionsPublished: counter('autoscaler_decisions_published_total', 'Decisions published by reason: changed, refresh', ['reason']),
    pokes: counter('autoscaler_pokes_total', 'Pokes by result: acted, ignored (revision scaling already), unowned', ['result']),
    stats: counter('autoscaler_stats_total', 'Stats by result: recorded, unowned', ['result']),
    annotationErrors: counter('autoscaler_annotation_errors_total', 'Revision annotations rejected (the last good spec stays)'),
    ownedShards: new Gauge({ name: 'autoscaler_owned_shards', help: 'Stats shards this replica holds a lease on', registers: [registry] }),
    revisions: new Gauge({ name: 'autoscaler_revisions', help: 'Revisions this replica scales', registers: [registry] }),
  };
}

/** Sets the per-revision gauges from one tick. Averages without data are left as they were. */
export function observeTick(m: AutoscalerMetrics, r: RevisionState, ready: number, replicas: number | undefined, o: TickOutcome): void {
  const labels = { namespace: r.namespace, revision: r.revision };
  const rps = r.spec.scaler.metric === 'rps';
  m.actualPods.set(labels, ready);
  if (replicas !== undefined) m.requestedPods.set(labels, replicas);
  if (o.reconcile.want >= 0) m.desiredPods.set(labels, o.reconcile.want);
  m.panicMode.set(labels, o.panicking ? 1 : 0);
  if (o.decision.valid) m.excessBurstCapacity.set(labels, o.decision.excessBurstCapacity);
  (rps ? m.targetRps : m.targetConcurrency).set(labels, r.spec.scaler.targetValue);
  const { stableAvg, panicAvg } = o.averages;
  if (stableAvg !== undefined) (rps ? m.stableRps : m.stableConcurrency).set(labels, stableAvg);
  if (panicAvg !== undefined) (rps ? m.panicRps : m.panicConcurrency).set(labels, panicAvg);
}

/** Drops a revision's series (deleted, or its shard moved to another replica). */
export function forgetRevision(m: AutoscalerMetrics, namespace: string, revision: string): void {
  for (const name of perRevision) m[name].remove({ namespace, revision });
}
