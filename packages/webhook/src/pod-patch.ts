// The mutating decision for one Pod, as a pure function: skip it, deny it (with a message naming
// the field), or patch it (the JSON Patch that injects the queue-proxy). The HTTP handler only
// encodes the result.
import {
  CLASS_ANNOTATION,
  CONTAINER_CONCURRENCY_ANNOTATION,
  DEFAULT_USER_PORT,
  KNATIVE_REVISION_LABEL,
  KPA_TS_CLASS,
  MAX_CONTAINER_CONCURRENCY,
  QUEUE_METRICS_PORT,
  QUEUE_PROXY_CONTAINER,
  QUEUE_SERVING_PORT,
  REVISION_LABEL,
} from './constants.js';
import type { InjectionConfig } from './injection-config.js';
import type { JsonPatchOp } from './json-patch.js';
import { pointer } from './json-patch.js';
import type { Container, ObjectMeta, Pod, Probe } from './kube-objects.js';
import { PodSchema, describeZodError } from './kube-objects.js';
import { queueProbe, queueProxyContainer } from './queue-proxy-container.js';
import { isLabelValue, revisionOf } from './revision-name.js';

export type SkipReason = 'other-class' | 'knative-owned' | 'already-injected';

export type PodDecision =
  | { action: 'skip'; reason: SkipReason }
  | { action: 'deny'; message: string }
  | { action: 'patch'; patch: JsonPatchOp[]; revision: string; warnings: string[] };

/** True when the Pod's annotations ask for kpa-ts (works on any input, never throws). */
export function hasOurClass(object: unknown): boolean {
  const meta = (object as { metadata?: { annotations?: unknown } } | null | undefined)?.metadata;
  const annotations = meta?.annotations;
  return typeof annotations === 'object' && annotations !== null && (annotations as Record<string, unknown>)[CLASS_ANNOTATION] === KPA_TS_CLASS;
}

/** Pods that Knative Serving runs: a `serving.knative.dev/revision` label or a knative.dev owner. */
export function isKnativeOwned(meta: ObjectMeta): boolean {
  if (meta.labels?.[KNATIVE_REVISION_LABEL] !== undefined) return true;
  return (meta.ownerReferences ?? []).some((o) => /(^|\.)knative\.dev\//.test(o.apiVersion));
}

/** `kpa-ts.dev/container-concurrency`: an integer in [0, 1000]; absent → 0 (unlimited). */
export function parseContainerConcurrency(annotations: Record<string, string> | undefined): { value: number } | { error: string } {
  const raw = annotations?.[CONTAINER_CONCURRENCY_ANNOTATION];
  if (raw === undefined) return { value: 0 };
  const trimmed = raw.trim();
  const n = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > MAX_CONTAINER_CONCURRENCY) {
    return { error: `${CONTAINER_CONCURRENCY_ANNOTATION} = ${JSON.stringify(raw)}, must be an integer in [0, ${MAX_CONTAINER_CONCURRENCY}] (0 = unlimited)` };
  }
  return { value: n };
}

/** The user container: the first one that declares a port, else the first one. */
export function userContainerIndex(containers: readonly Container[]): number {
  const withPort = containers.findIndex((c) => (c.ports ?? []).length > 0);
  return withPort >= 0 ? withPort : 0;
}

function reservedPortError(containers: readonly Container[]): string | undefined {
  for (const [i, c] of containers.entries()) {
    for (const [j, p] of (c.ports ?? []).entries()) {
      if (p.containerPort === QUEUE_SERVING_PORT || p.containerPort === QUEUE_METRICS_PORT) {
        return `spec.containers[${i}].ports[${j}].containerPort = ${p.containerPort}, is reserved for the queue-proxy (${QUEUE_SERVING_PORT} and ${QUEUE_METRICS_PORT})`;
      }
    }
  }
  return undefined;
}

/** A probe port as a number: named ports resolve against the container's ports, else the user port. */
function resolvePort(port: number | string, container: Container, userPort: number): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort ?? userPort;
}

/**
 * What the queue-proxy gets as SERVING_READINESS_PROBE: the user's httpGet/tcpSocket probe with
 * named ports resolved, or a TCP connect to the user port. exec and grpc probes cannot be run by
 * the queue-proxy: they fall back to TCP with a warning.
 */
export function servingProbe(container: Container, userPort: number): { probe: Record<string, unknown>; warning?: string } {
  const p: Probe | undefined = container.readinessProbe;
  const timing = {
    ...(p?.initialDelaySeconds === undefined ? {} : { initialDelaySeconds: p.initialDelaySeconds }),
    ...(p?.periodSeconds === undefined ? {} : { periodSeconds: p.periodSeconds }),
    ...(p?.timeoutSeconds === undefined ? {} : { timeoutSeconds: p.timeoutSeconds }),
    ...(p?.successThreshold === undefined ? {} : { successThreshold: p.successThreshold }),
    ...(p?.failureThreshold === undefined ? {} : { failureThreshold: p.failureThreshold }),
  };
  if (p?.httpGet) {
    const { port, ...rest } = p.httpGet;
    return { probe: { httpGet: { ...rest, port: resolvePort(port, container, userPort) }, ...timing } };
  }
  if (p?.tcpSocket) {
    const { port, ...rest } = p.tcpSocket;
    return { probe: { tcpSocket: { ...rest, port: resolvePort(port, container, userPort) }, ...timing } };
  }
  const fallback = { probe: { tcpSocket: { port: userPort }, ...timing } };
  if (p?.exec !== undefined || p?.grpc !== undefined) {
    const kind = p.exec !== undefined ? 'exec' : 'grpc';
    return { ...fallback, warning: `spec.containers[${container.name}].readinessProbe.${kind} cannot run in the queue-proxy: readiness is a TCP connect to port ${userPort} instead` };
  }
  return fallback;
}

function labelOps(meta: ObjectMeta, revision: string): JsonPatchOp[] {
  if (meta.labels === undefined) return [{ op: 'add', path: pointer('metadata', 'labels'), value: { [REVISION_LABEL]: revision } }];
  if (meta.labels[REVISION_LABEL] !== undefined) return [];
  return [{ op: 'add', path: pointer('metadata', 'labels', REVISION_LABEL), value: revision }];
}

function decideParsed(pod: Pod, config: InjectionConfig): PodDecision {
  const meta = pod.metadata;
  const containers = pod.spec.containers;
  if (isKnativeOwned(meta)) return { action: 'skip', reason: 'knative-owned' };
  if (containers.some((c) => c.name === QUEUE_PROXY_CONTAINER)) return { action: 'skip', reason: 'already-injected' };
  if (containers.length === 0) return { action: 'deny', message: 'spec.containers: must not be empty' };
  const reserved = reservedPortError(containers);
  if (reserved !== undefined) return { action: 'deny', message: reserved };
  const cc = parseContainerConcurrency(meta.annotations);
  if ('error' in cc) return { action: 'deny', message: cc.error };
  const found = revisionOf(meta);
  if (found === undefined) return { action: 'deny', message: `no revision name: set the label ${REVISION_LABEL} (or metadata.name / generateName)` };
  if (!isLabelValue(found.revision)) {
    return { action: 'deny', message: `revision ${JSON.stringify(found.revision)} (from ${found.source}) is not a valid label value for ${REVISION_LABEL}: at most 63 characters, alphanumerics and -_. inside` };
  }
  const index = userContainerIndex(containers);
  const user = containers[index] as Container;
  const userPort = user.ports?.[0]?.containerPort ?? DEFAULT_USER_PORT;
  const { probe, warning } = servingProbe(user, userPort);
  const sidecar = queueProxyContainer(config, { revision: found.revision, userPort, containerConcurrency: cc.value, userProbe: probe });
  const patch: JsonPatchOp[] = [
    { op: 'add', path: pointer('spec', 'containers', '-'), value: sidecar },
    // `add` on an existing member replaces it (RFC 6902 4.1), so this works with or without a probe.
    { op: 'add', path: pointer('spec', 'containers', index, 'readinessProbe'), value: queueProbe(user.readinessProbe) },
    ...labelOps(meta, found.revision),
  ];
  return { action: 'patch', patch, revision: found.revision, warnings: warning === undefined ? [] : [warning] };
}

/**
 * Decides what to do with a Pod at admission (CREATE). Pods without our class, Knative's Pods and
 * Pods that already have a `queue-proxy` container are skipped (so re-admission never patches
 * twice). A Pod of our class that cannot be injected correctly is denied with a message naming the
 * field; see the README for why denial and not a silent pass.
 */
export function decidePodInjection(object: unknown, config: InjectionConfig): PodDecision {
  if (!hasOurClass(object)) return { action: 'skip', reason: 'other-class' };
  const parsed = PodSchema.safeParse(object);
  if (!parsed.success) return { action: 'deny', message: `not a Pod we understand: ${describeZodError(parsed.error, 'pod')}` };
  return decideParsed(parsed.data, config);
}
