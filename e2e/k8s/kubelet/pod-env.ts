// A container's environment as the kubelet builds it: image defaults, then the container's `env`
// (values, `$(VAR)` references, downward-API fieldRefs). Pure.
import type { V1Container, V1EnvVar, V1Pod } from '@kubernetes/client-node';

export type EnvResult = { ok: true; env: Record<string, string> } | { ok: false; message: string };

/** `metadata.labels['app']` → ['labels', 'app']. */
const MAP_FIELD = /^metadata\.(labels|annotations)\['([^']+)'\]$/;

/** The value of a downward-API fieldPath for this pod, or an error message. */
export function fieldRefValue(pod: V1Pod, fieldPath: string, podIP: string, hostIP: string): { value: string } | { error: string } {
  const meta = pod.metadata ?? {};
  switch (fieldPath) {
    case 'metadata.name':
      return { value: meta.name ?? '' };
    case 'metadata.namespace':
      return { value: meta.namespace ?? 'default' };
    case 'metadata.uid':
      return { value: meta.uid ?? '' };
    case 'spec.nodeName':
      return { value: pod.spec?.nodeName ?? '' };
    case 'spec.serviceAccountName':
      return { value: pod.spec?.serviceAccountName ?? '' };
    case 'status.podIP':
    case 'status.podIPs':
      return { value: podIP };
    case 'status.hostIP':
    case 'status.hostIPs':
      return { value: hostIP };
  }
  const m = MAP_FIELD.exec(fieldPath);
  if (m !== null) {
    const map = m[1] === 'labels' ? meta.labels : meta.annotations;
    return { value: map?.[m[2] as string] ?? '' };
  }
  return { error: `fieldRef.fieldPath ${JSON.stringify(fieldPath)} is not supported` };
}

/** Kubernetes' `$(VAR)` expansion against the variables defined so far; `$$(VAR)` is an escaped `$(VAR)`. */
export function expandVars(value: string, env: Readonly<Record<string, string>>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (name === undefined) return '$';
    return Object.hasOwn(env, name) ? (env[name] as string) : whole;
  });
}

function envVarValue(pod: V1Pod, v: V1EnvVar, env: Record<string, string>, ips: { podIP: string; hostIP: string }): { value: string } | { error: string } {
  if (v.valueFrom === undefined) return { value: expandVars(v.value ?? '', env) };
  const ref = v.valueFrom.fieldRef;
  if (ref !== undefined) return fieldRefValue(pod, ref.fieldPath, ips.podIP, ips.hostIP);
  const kind = Object.keys(v.valueFrom)[0] ?? 'valueFrom';
  return { error: `env ${v.name}: valueFrom.${kind} is not supported by the process-kubelet (only fieldRef)` };
}

/**
 * The full environment of a container: `base` (PATH, HOSTNAME, ...), the image's defaults, then
 * the container's env in order. `envFrom` and secret/configMap refs are refused with a message
 * (the pod then waits with CreateContainerConfigError, as a real kubelet does for a missing key).
 */
export function containerEnv(
  pod: V1Pod,
  container: V1Container,
  ips: { podIP: string; hostIP: string },
  layers: { base: Readonly<Record<string, string>>; image: Readonly<Record<string, string>> },
): EnvResult {
  if (container.envFrom !== undefined && container.envFrom.length > 0) {
    return { ok: false, message: `container ${container.name}: envFrom is not supported by the process-kubelet` };
  }
  const env: Record<string, string> = { ...layers.base, ...layers.image };
  for (const v of container.env ?? []) {
    const r = envVarValue(pod, v, env, ips);
    if ('error' in r) return { ok: false, message: `container ${container.name}: ${r.error}` };
    env[v.name] = r.value;
  }
  return { ok: true, env };
}
