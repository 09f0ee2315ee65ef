// The demo's workload: seed 003's Knative Service as a local-runtime revision (the sample app,
// containerConcurrency 100, min-scale 0, max-scale 3), deployed through the runtime API.
import { httpGet, waitUntil } from './net.js';
import { parsePromText, pick, sum } from './prom-text.js';
import { BINARIES, type Stack } from './stack.js';

export const KPA_TS_CLASS = 'kpa.autoscaling.kpa-ts.dev';
export const DOMAIN = 'kpa.local';

export interface AppOptions {
  namespace?: string;
  revision?: string;
  containerConcurrency: number;
  maxScale: number;
  /** The sample app's LATENCY_MS. */
  latencyMs: number;
  /** More `autoscaling.knative.dev/*` annotations (full keys). */
  annotations?: Record<string, string>;
  /** More env for the app (e.g. START_DELAY_MS). */
  appEnv?: Record<string, string>;
}

export interface DeployedApp {
  namespace: string;
  revision: string;
  /** The Host header that routes to it through the activator. */
  host: string;
}

/** The revision's annotations: our class, scale bounds, starting at zero. */
export function appAnnotations(o: AppOptions): Record<string, string> {
  return {
    'autoscaling.knative.dev/class': KPA_TS_CLASS,
    'autoscaling.knative.dev/min-scale': '0',
    'autoscaling.knative.dev/max-scale': String(o.maxScale),
    // Like seed 003 after its first idle period: the revision starts scaled to zero
    // (needs allow-zero-initial-scale in config-autoscaler).
    'autoscaling.knative.dev/initial-scale': '0',
    ...o.annotations,
  };
}

/** Deploys the app at 0 replicas and waits until the activator routes it and an autoscaler owns it. */
export async function deployApp(stack: Stack, o: AppOptions, signal?: AbortSignal): Promise<DeployedApp> {
  const namespace = o.namespace ?? 'production';
  const revision = o.revision ?? 'devops-toolkit-00001';
  await stack.client.deploy({
    namespace,
    revision,
    containerConcurrency: o.containerConcurrency,
    timeoutSeconds: 300,
    annotations: appAnnotations(o),
    app: { command: process.execPath, args: [BINARIES.sampleApp], env: { LATENCY_MS: String(o.latencyMs), ...o.appEnv } },
    replicas: 0,
  });
  const labels = { namespace, revision };
  const common = { timeoutMs: 30_000, ...(signal ? { signal } : {}) };
  await waitUntil(async () => pick(parsePromText((await httpGet(`${stack.activatorAdminUrl}/metrics`)).body), 'activator_ready_pods', labels) !== undefined, {
    ...common,
    what: `the activator to know ${namespace}/${revision}`,
  });
  await waitUntil(async () => {
    const pages = await Promise.all(stack.autoscalerAdminUrls.map((u) => httpGet(`${u}/metrics`).then((a) => parsePromText(a.body), () => [])));
    return pages.some((p) => sum(p, 'autoscaler_revisions') > 0);
  }, { ...common, what: `an autoscaler replica to own ${namespace}/${revision}` });
  return { namespace, revision, host: `${revision}.${namespace}.${DOMAIN}` };
}
