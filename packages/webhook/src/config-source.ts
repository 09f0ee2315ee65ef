// Where the validating webhook gets the current config-autoscaler from: a fixed value, or a watch
// on the ConfigMap (last good kept when an update does not parse).
import { CoreV1Api, ListWatch, Watch, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { AutoscalerConfig } from '@kpa-ts/config';
import { CONFIG_AUTOSCALER_NAME, DEFAULT_AUTOSCALER_CONFIG, parseAutoscalerConfig } from '@kpa-ts/config';

export interface AutoscalerConfigSource {
  current(): AutoscalerConfig;
  stop(): Promise<void>;
}

export function staticConfigSource(config: AutoscalerConfig = DEFAULT_AUTOSCALER_CONFIG): AutoscalerConfigSource {
  return { current: () => config, stop: async () => {} };
}

export interface WatchConfigOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  logger: Logger;
  /** Delay before re-listing after a watch error. Default 2000 ms. */
  retryMs?: number;
}

/**
 * Watches `config-autoscaler` in `namespace` (RBAC: configmaps get/list/watch there). Until the
 * first list, and while the ConfigMap does not exist, Knative's defaults apply; an update that does
 * not parse is logged and the last good config stays.
 */
export function watchConfigSource(opts: WatchConfigOptions): AutoscalerConfigSource {
  const api = opts.kubeConfig.makeApiClient(CoreV1Api);
  const path = `/api/v1/namespaces/${opts.namespace}/configmaps`;
  const fieldSelector = `metadata.name=${CONFIG_AUTOSCALER_NAME}`;
  let current: AutoscalerConfig = DEFAULT_AUTOSCALER_CONFIG;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const apply = (cm: V1ConfigMap): void => {
    const parsed = parseAutoscalerConfig(cm.data ?? {});
    if (parsed.success) {
      current = parsed.data;
      opts.logger.info({ resourceVersion: cm.metadata?.resourceVersion }, 'config-autoscaler loaded');
    } else {
      opts.logger.warn({ issues: parsed.error.issues.map((i) => i.message) }, 'config-autoscaler invalid: keeping the last good config');
    }
  };
  const informer = new ListWatch<V1ConfigMap>(
    path,
    new Watch(opts.kubeConfig),
    () => api.listNamespacedConfigMap({ namespace: opts.namespace, fieldSelector }),
    false,
    undefined,
    fieldSelector,
  );
  informer.on('add', apply);
  informer.on('update', apply);
  informer.on('delete', () => {
    current = DEFAULT_AUTOSCALER_CONFIG;
    opts.logger.warn('config-autoscaler deleted: Knative defaults apply');
  });
  informer.on('error', (err: unknown) => {
    if (stopped) return;
    opts.logger.warn({ err: String(err) }, 'config-autoscaler watch failed: retrying');
    retry = setTimeout(() => void informer.start().catch(() => {}), opts.retryMs ?? 2000);
  });
  void informer.start().catch((err: unknown) => opts.logger.warn({ err: String(err) }, 'config-autoscaler watch failed to start'));
  return {
    current: () => current,
    stop: async () => {
      stopped = true;
      clearTimeout(retry);
      await informer.stop();
    },
  };
}
