// The process-kubelet's "registry": which local command an image runs. There is no container
// runtime here, so an image is a name in this table; its ENTRYPOINT/CMD/ENV are the entry's.
// Because every pod shares the host's network, the "pod localhost" is the pod's own 127.x IP: the
// entries pass it to the binaries as their bind address (what a Dockerfile's 0.0.0.0 would be).
import type { V1Container } from '@kubernetes/client-node';

export interface ImageContext {
  podIP: string;
  /** The pod's name: what `hostname` would say inside a real pod (no UTS namespace here). */
  podName: string;
  /** The container's declared ports, in order. */
  ports: readonly number[];
}

export interface ImageEntry {
  /** ENTRYPOINT: argv; `node` means this Node binary; relative paths are resolved against the repo root. */
  entrypoint: readonly string[];
  /** CMD: default arguments when the container sets neither command nor args. */
  args?: readonly string[];
  /** ENV defaults of the image; the pod's own env wins. */
  env?: (ctx: ImageContext) => Record<string, string>;
}

export type ImageTable = Readonly<Record<string, ImageEntry>>;

/** Our images, the built binaries of the packages (run `pnpm build` first). */
export const DEFAULT_IMAGES: ImageTable = {
  'kpa-ts/sample-app': {
    entrypoint: ['node', 'packages/sample-app/dist/main.js'],
    // The sample app names itself by hostname; SERVING_POD stands in for the pod's hostname.
    env: ({ podIP, podName, ports }) => ({ HOST: podIP, PORT: String(ports[0] ?? 8080), SERVING_POD: podName }),
  },
  'kpa-ts/queue-proxy': {
    entrypoint: ['node', 'packages/queue-proxy/dist/main.js'],
    // The user container listens on the pod IP: that is the queue-proxy's "localhost".
    env: ({ podIP }) => ({ USER_HOST: podIP, SERVING_POD_IP: podIP }),
  },
  'kpa-ts/activator': {
    entrypoint: ['node', 'packages/activator/dist/main.js'],
    env: ({ podIP }) => ({ LISTEN_HOST: podIP, ADMIN_HOST: podIP }),
  },
  'kpa-ts/autoscaler': {
    entrypoint: ['node', 'packages/autoscaler/dist/main.js'],
    env: ({ podIP }) => ({ ADMIN_HOST: podIP }),
  },
  'kpa-ts/webhook': {
    entrypoint: ['node', 'packages/webhook/dist/main.js'],
    env: ({ podIP }) => ({ WEBHOOK_HOST: podIP, TLS_HOSTS: `${podIP},localhost` }),
  },
  /** A bare Node for tests: `command`/`args` of the container say what to run (`-e '...'`). */
  'kpa-ts/node': { entrypoint: ['node'], env: ({ podIP }) => ({ POD_IP: podIP }) },
};

/**
 * The table key of an image reference: without a tag or digest and without a `docker.io/`,
 * `docker.io/library/` or `localhost/` registry prefix (`kpa-ts/sample-app:dev` → `kpa-ts/sample-app`).
 */
export function imageKey(image: string): string {
  let ref = image.trim();
  const at = ref.indexOf('@');
  if (at >= 0) ref = ref.slice(0, at);
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) ref = ref.slice(0, colon);
  for (const prefix of ['docker.io/library/', 'docker.io/', 'localhost/']) {
    if (ref.startsWith(prefix)) return ref.slice(prefix.length);
  }
  return ref;
}

export function lookupImage(table: ImageTable, image: string | undefined): ImageEntry | undefined {
  if (image === undefined || image === '') return undefined;
  return table[imageKey(image)];
}

/**
 * The argv a container runs, with Kubernetes' rules: `command` replaces the ENTRYPOINT (and drops
 * the CMD), `args` replaces the CMD.
 */
export function containerArgv(entry: ImageEntry, container: Pick<V1Container, 'command' | 'args'>): string[] {
  if (container.command !== undefined && container.command.length > 0) return [...container.command, ...(container.args ?? [])];
  return [...entry.entrypoint, ...(container.args ?? entry.args ?? [])];
}
