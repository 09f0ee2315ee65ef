// The informer's restart policy without an apiserver: a list that fails never opens a watch, so
// the backoff, its reset, the logs and stop() are driven by hand (timers and randomness injected).
import { describe, expect, it } from '@jest/globals';
import { backoffDelayMs, createResilientInformer, watchPath, type InformerTimers } from '@kpa-ts/kube';
import { KubeConfig, type KubernetesListObject, type V1ConfigMap } from '@kubernetes/client-node';
import { pino } from 'pino';

describe('backoffDelayMs', () => {
  it.each([
    { attempt: 0, random: 0, want: 250 },
    { attempt: 0, random: 1, want: 500 },
    { attempt: 3, random: 0.5, want: 3000 }, // base 4 000: 2 000 + 0.5 × 2 000
    { attempt: 10, random: 0, want: 15_000 }, // capped at 30 000
    { attempt: 1000, random: 1, want: 30_000 },
  ])('attempt $attempt, random $random → $want ms', ({ attempt, random, want }) => {
    expect(backoffDelayMs(attempt, 500, 30_000, () => random)).toBe(want);
  });
});

describe('watchPath', () => {
  it.each([
    { gv: 'v1' as const, resource: 'pods', ns: undefined, want: '/api/v1/pods' },
    { gv: 'v1' as const, resource: 'configmaps', ns: 'kpa-system', want: '/api/v1/namespaces/kpa-system/configmaps' },
    { gv: 'apps/v1' as const, resource: 'deployments', ns: undefined, want: '/apis/apps/v1/deployments' },
    { gv: 'apps/v1' as const, resource: 'deployments', ns: 'demo', want: '/apis/apps/v1/namespaces/demo/deployments' },
  ])('$want', ({ gv, resource, ns, want }) => {
    expect(watchPath(gv, resource, ns)).toBe(want);
  });
});

/** Timers that only fire when the test says so. */
function manualTimers(): InformerTimers & { pending: { fn: () => void; ms: number }[]; fire(): void } {
  const pending: { fn: () => void; ms: number }[] = [];
  return {
    pending,
    setTimeout: (fn, ms) => {
      const t = { fn, ms };
      pending.push(t);
      return t;
    },
    clearTimeout: (h) => {
      const i = pending.indexOf(h as { fn: () => void; ms: number });
      if (i >= 0) pending.splice(i, 1);
    },
    fire() {
      const t = pending.shift();
      t?.fn();
    },
  };
}

/** A kubeconfig that is never dialled here (the list fails before any watch). */
function unusedKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: 'c', server: 'https://127.0.0.1:9', skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
  return kc;
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('createResilientInformer (list failing)', () => {
  it('restarts with a doubling, jittered delay, logs each failure, never counts as synced, and stop() cancels the retry', async () => {
    const timers = manualTimers();
    const lines: string[] = [];
    let lists = 0;
    const informer = createResilientInformer<V1ConfigMap>({
      name: 'configmaps',
      kubeConfig: unusedKubeConfig(),
      path: watchPath('v1', 'configmaps', 'ns'),
      list: (): Promise<KubernetesListObject<V1ConfigMap>> => {
        lists++;
        return Promise.reject(new Error('connect ECONNREFUSED'));
      },
      fieldSelector: 'metadata.name=config-autoscaler',
      upsert: () => undefined,
      remove: () => undefined,
      logger: pino({ level: 'info' }, { write: (l: string) => void lines.push(l) }),
      backoff: { initialMs: 100, maxMs: 300 },
      random: () => 0.5,
      timers,
    });
    let synced = false;
    void informer.synced.then(() => (synced = true));
    informer.start();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      await settle();
      expect(timers.pending).toHaveLength(1);
      delays.push(timers.pending[0]?.ms ?? -1);
      timers.fire();
    }
    await settle();
    // base 100, 200, 300 (capped), 300: half fixed, half × 0.5
    expect(delays).toEqual([75, 150, 225, 225]);
    expect(lists).toBe(5);
    expect(lines.filter((l) => l.includes('list/watch failed; restarting') && l.includes('ECONNREFUSED') && l.includes('"informer":"configmaps"'))).toHaveLength(5);
    expect(informer.isWatching()).toBe(false);
    expect(synced).toBe(false);

    await informer.stop();
    expect(timers.pending).toHaveLength(0);
    expect(informer.isWatching()).toBe(false);
  });
});
