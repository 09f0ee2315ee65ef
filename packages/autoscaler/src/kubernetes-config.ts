// config-autoscaler from the API server: an informer on the one ConfigMap (system namespace,
// field selector on its name) feeds the same ConfigReloader the file watcher uses, so a valid edit
// is applied without a restart and a bad one keeps the last good config (logged, counted in
// autoscaler_config_reload_failures_total); a bad edit also gets a Warning Event on the ConfigMap
// naming the keys (`kubectl describe configmap config-autoscaler -n kpa-system` shows it).
import { CONFIG_AUTOSCALER_NAME } from '@kpa-ts/config';
import { createResilientInformer, waitSynced, watchPath, type InformerTuning } from '@kpa-ts/kube';
import { CoreV1Api, type CoreV1Event, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { parseConfigText, type ConfigProblem } from './config-file.js';
import type { ConfigReloader } from './config-reloader.js';
import { errorText } from './errors.js';
import { systemClock, type Clock } from './ports.js';

export const INVALID_CONFIG_REASON = 'InvalidConfig';
/** Kubernetes caps an Event's message at 1 KiB. */
const EVENT_MESSAGE_MAX = 1024;

export interface KubernetesConfigWatcherOptions extends InformerTuning {
  kubeConfig: KubeConfig;
  /** Where config-autoscaler lives (default kpa-system). */
  namespace?: string;
  reloader: ConfigReloader;
  logger: Logger;
  /** The Events' source component and reporting instance. */
  component?: string;
  instance?: string;
  clock?: Clock;
  /** start() gives up waiting for the first list after this long (default 30 s) and goes on with the defaults. */
  startTimeoutMs?: number;
}

export interface KubernetesConfigWatcher {
  /** Lists the ConfigMap (absent → Knative's defaults) and follows it. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The Event a rejected config-autoscaler gets: one line naming every bad key. Pure. */
export function invalidConfigEvent(cm: V1ConfigMap, problems: readonly ConfigProblem[], at: Date, source: { component: string; instance: string }): CoreV1Event {
  const namespace = cm.metadata?.namespace ?? '';
  const name = cm.metadata?.name ?? CONFIG_AUTOSCALER_NAME;
  const text = `config-autoscaler rejected, keeping the last good config: ${problems.map((p) => `${p.key}: ${p.message}`).join('; ')}`;
  return {
    metadata: { generateName: `${name}.`, namespace },
    involvedObject: { apiVersion: 'v1', kind: 'ConfigMap', namespace, name, ...(cm.metadata?.uid ? { uid: cm.metadata.uid } : {}), ...(cm.metadata?.resourceVersion ? { resourceVersion: cm.metadata.resourceVersion } : {}) },
    reason: INVALID_CONFIG_REASON,
    message: text.length > EVENT_MESSAGE_MAX ? `${text.slice(0, EVENT_MESSAGE_MAX - 1)}…` : text,
    type: 'Warning',
    source: { component: source.component },
    reportingComponent: source.component,
    reportingInstance: source.instance,
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
  };
}

/** The ConfigMap as the text the reloader parses (a ConfigMap document: its `data`). */
function configText(cm: V1ConfigMap): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', data: cm.data ?? {} });
}

export function createKubernetesConfigWatcher(o: KubernetesConfigWatcherOptions): KubernetesConfigWatcher {
  const namespace = o.namespace ?? 'kpa-system';
  const log = o.logger.child({ component: 'config-autoscaler', namespace });
  const core = o.kubeConfig.makeApiClient(CoreV1Api);
  const clock = o.clock ?? systemClock;
  const source = { component: o.component ?? 'kpa-autoscaler', instance: o.instance ?? 'kpa-autoscaler' };
  const fieldSelector = `metadata.name=${CONFIG_AUTOSCALER_NAME}`;
  let seen = false;

  const emitEvent = async (cm: V1ConfigMap, problems: readonly ConfigProblem[]): Promise<void> => {
    try {
      await core.createNamespacedEvent({ namespace, body: invalidConfigEvent(cm, problems, new Date(clock.nowMs()), source) });
    } catch (err) {
      log.warn({ err: errorText(err) }, 'cannot record the InvalidConfig event');
    }
  };
  const onConfigMap = (cm: V1ConfigMap): void => {
    seen = true;
    const text = configText(cm);
    const parsed = parseConfigText(text);
    if (!parsed.ok) void emitEvent(cm, parsed.problems);
    o.reloader.load(text);
  };
  const informer = createResilientInformer<V1ConfigMap>({
    name: 'configmaps',
    kubeConfig: o.kubeConfig,
    path: watchPath('v1', 'configmaps', namespace),
    fieldSelector,
    list: () => core.listNamespacedConfigMap({ namespace, fieldSelector }),
    upsert: onConfigMap,
    remove: () => o.reloader.load(undefined),
    logger: log,
    backoff: o.backoff,
    random: o.random,
    timers: o.timers,
  });

  return {
    async start() {
      informer.start();
      const timeoutMs = o.startTimeoutMs ?? 30_000;
      if (!(await waitSynced([informer], timeoutMs))) log.warn({ timeoutMs }, 'config-autoscaler not listed yet; Knative defaults until it is');
      if (!seen) o.reloader.load(undefined);
    },
    stop: () => informer.stop(),
  };
}
