// Pure mapping of the Kubernetes Pod watcher: Pod → Endpoint, Deployment → RevisionInfo.
// Fixtures are the JSON the apiserver sends (deep-cloned per case); list results carry Dates.
import { describe, expect, it } from '@jest/globals';
import { deploymentToRevision, parseActivatorEnv, podToEndpoint, queueProxyPort } from '@kpa-ts/activator';
import { apiserverObject, type Json } from '@kpa-ts/kube/testing';

const pod = (edit?: (p: Json) => void): Json => apiserverObject('pod', edit);
const deployment = (edit?: (d: Json) => void): Json => apiserverObject('deployment', edit);

describe('podToEndpoint', () => {
  it('a ready injected pod → a routable endpoint on the queue-proxy port', () => {
    expect(podToEndpoint(pod())).toEqual({ namespace: 'demo', revision: 'hello', endpoint: { pod: 'hello-7c9d8b6f5d-x2k4p', ip: '127.0.1.7', port: 8012, ready: true } });
  });

  it.each([
    ['Ready=False', (p: Json) => (p.status.conditions[1].status = 'False')],
    ['no Ready condition', (p: Json) => (p.status.conditions = [{ type: 'PodScheduled', status: 'True' }])],
    ['no conditions at all', (p: Json) => delete p.status.conditions],
    ['terminating (deletionTimestamp as JSON text)', (p: Json) => (p.metadata.deletionTimestamp = '2025-01-10T10:05:00Z')],
    ['terminating (deletionTimestamp as a Date, from a typed list)', (p: Json) => (p.metadata.deletionTimestamp = new Date('2025-01-10T10:05:00Z'))],
  ])('%s → known but not ready', (_name, edit) => {
    expect(podToEndpoint(pod(edit))?.endpoint.ready).toBe(false);
  });

  it.each([
    ['no podIP yet (Pending)', (p: Json) => delete p.status.podIP],
    ['no status', (p: Json) => delete p.status],
    ['no revision label and another class', (p: Json) => {
      delete p.metadata.labels['kpa-ts.dev/revision'];
      p.metadata.annotations['autoscaling.knative.dev/class'] = 'kpa.autoscaling.knative.dev';
    }],
    ['no revision label and no annotations', (p: Json) => {
      delete p.metadata.labels['kpa-ts.dev/revision'];
      delete p.metadata.annotations;
    }],
    ['not an object', () => undefined],
  ])('%s → nothing to route to', (name, edit) => {
    expect(podToEndpoint(name === 'not an object' ? 'pod' : pod(edit))).toBeUndefined();
  });

  it.each([
    ['the revision label wins', (p: Json) => (p.metadata.labels['app.kubernetes.io/name'] = 'other'), 'hello'],
    ['class annotation without the label: app.kubernetes.io/name', (p: Json) => {
      delete p.metadata.labels['kpa-ts.dev/revision'];
      p.metadata.labels['app.kubernetes.io/name'] = 'web';
    }, 'web'],
    ['class annotation without any name label: generateName minus the template hash', (p: Json) => delete p.metadata.labels['kpa-ts.dev/revision'], 'hello'],
    ['class annotation, no name label, no generateName: the controller owner minus the template hash (the webhook\'s rule)', (p: Json) => {
      delete p.metadata.labels['kpa-ts.dev/revision'];
      delete p.metadata.generateName;
    }, 'hello'],
    ['class annotation and nothing else: the Pod\'s own name (the webhook\'s rule)', (p: Json) => {
      delete p.metadata.labels['kpa-ts.dev/revision'];
      delete p.metadata.generateName;
      delete p.metadata.ownerReferences;
    }, 'hello-7c9d8b6f5d-x2k4p'],
  ])('revision: %s', (_name, edit, want) => {
    expect(podToEndpoint(pod(edit))?.revision).toBe(want);
  });

  it.each([
    ['QUEUE_SERVING_PORT env', (p: Json) => (p.spec.containers[1].env[3].value = '9012'), 9012],
    ['port named queue-port when the env is missing', (p: Json) => {
      p.spec.containers[1].env.splice(3, 1);
      p.spec.containers[1].ports[0].containerPort = 7012;
    }, 7012],
    ['port named http', (p: Json) => {
      delete p.spec.containers[1].env;
      p.spec.containers[1].ports = [{ name: 'http', containerPort: 6012 }];
    }, 6012],
    ['a bad env value falls back to the named port', (p: Json) => (p.spec.containers[1].env[3].value = 'eighty'), 8012],
    ['no queue-proxy container: 8012', (p: Json) => p.spec.containers.splice(1, 1), 8012],
  ])('port: %s', (_name, edit, want) => {
    expect(podToEndpoint(pod(edit))?.endpoint.port).toBe(want);
  });

  it('queueProxyPort of no containers is 8012', () => {
    expect(queueProxyPort(undefined)).toBe(8012);
  });
});

describe('deploymentToRevision', () => {
  it('an annotated Deployment → its revision with containerConcurrency from the annotation', () => {
    expect(deploymentToRevision(deployment())).toEqual({ ok: true, info: { namespace: 'demo', revision: 'hello', containerConcurrency: 2 } });
  });

  it.each([
    ['template label kpa-ts.dev/revision', (d: Json) => (d.spec.template.metadata.labels['kpa-ts.dev/revision'] = 'hello-v2'), 'hello-v2'],
    ['template label app.kubernetes.io/name (what the webhook falls back to)', (d: Json) => (d.spec.template.metadata.labels['app.kubernetes.io/name'] = 'web'), 'web'],
    ['the Deployment name otherwise', () => undefined, 'hello'],
  ])('revision from %s', (_name, edit, want) => {
    const m = deploymentToRevision(deployment(edit));
    expect(m.ok && m.info.revision).toBe(want);
  });

  it.each([
    ['no annotation, no queue-proxy → 0 (unlimited)', (d: Json) => delete d.spec.template.metadata.annotations['kpa-ts.dev/container-concurrency'], 0],
    ['the queue-proxy env in the template', (d: Json) => {
      delete d.spec.template.metadata.annotations['kpa-ts.dev/container-concurrency'];
      d.spec.template.spec.containers.push({ name: 'queue-proxy', image: 'qp', env: [{ name: 'CONTAINER_CONCURRENCY', value: '7' }] });
    }, 7],
    ['the annotation wins over the env', (d: Json) => d.spec.template.spec.containers.push({ name: 'queue-proxy', image: 'qp', env: [{ name: 'CONTAINER_CONCURRENCY', value: '7' }] }), 2],
  ])('containerConcurrency: %s', (_name, edit, want) => {
    const m = deploymentToRevision(deployment(edit));
    expect(m.ok && m.info.containerConcurrency).toBe(want);
  });

  it.each([
    ['another class', (d: Json) => (d.spec.template.metadata.annotations['autoscaling.knative.dev/class'] = 'hpa.autoscaling.knative.dev'), 'not-our-class'],
    ['no template annotations', (d: Json) => delete d.spec.template.metadata.annotations, 'not-our-class'],
    ['the class only on the Deployment, not its template', (d: Json) => {
      d.metadata.annotations = { 'autoscaling.knative.dev/class': 'kpa.autoscaling.kpa-ts.dev' };
      delete d.spec.template.metadata.annotations['autoscaling.knative.dev/class'];
    }, 'not-our-class'],
    ['containerConcurrency out of range', (d: Json) => (d.spec.template.metadata.annotations['kpa-ts.dev/container-concurrency'] = '1001'), 'invalid'],
    ['containerConcurrency not a number', (d: Json) => (d.spec.template.metadata.annotations['kpa-ts.dev/container-concurrency'] = 'ten'), 'invalid'],
    ['no template', (d: Json) => delete d.spec.template, 'invalid'],
  ])('%s → not a revision', (_name, edit, reason) => {
    expect(deploymentToRevision(deployment(edit))).toMatchObject({ ok: false, reason });
  });
});

describe('TOPOLOGY=kubernetes env', () => {
  it('needs nothing else: all namespaces, the webhook label, the default kubeconfig', () => {
    const env = parseActivatorEnv({ TOPOLOGY: 'kubernetes' });
    expect(env).toMatchObject({ TOPOLOGY: 'kubernetes', POD_LABEL_SELECTOR: 'kpa-ts.dev/revision' });
    expect(env.WATCH_NAMESPACE).toBeUndefined();
    expect(env.KUBECONFIG).toBeUndefined();
  });

  it('takes a kubeconfig file, a namespace and a selector', () => {
    expect(parseActivatorEnv({ TOPOLOGY: 'kubernetes', KUBECONFIG: '/k', WATCH_NAMESPACE: 'apps', POD_LABEL_SELECTOR: 'tier=free' })).toMatchObject({ KUBECONFIG: '/k', WATCH_NAMESPACE: 'apps', POD_LABEL_SELECTOR: 'tier=free' });
  });

  it('rejects a namespace that is not a DNS label, naming it', () => {
    expect(() => parseActivatorEnv({ TOPOLOGY: 'kubernetes', WATCH_NAMESPACE: 'Apps' })).toThrow(expect.objectContaining({ code: 'ACT_CONFIG', message: expect.stringContaining('WATCH_NAMESPACE="Apps"') }));
  });
});
