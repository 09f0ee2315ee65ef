// Which revision a Pod belongs to: the name the queue-proxy reports stats under and the label the
// activator selects pods by. For a Deployment's Pod that is the Deployment's name.
import { APP_NAME_LABEL, POD_TEMPLATE_HASH_LABEL, REVISION_LABEL } from './constants.js';
import type { ObjectMeta } from './kube-objects.js';

/** A valid label value: at most 63 characters, alphanumerics with `-_.` inside. */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value);
}

/**
 * The owner's name from a ReplicaSet Pod's generateName `web-5d75b59c69-`: without the trailing
 * `-`, and without `-<pod-template-hash>` when the label says so, it is the Deployment's name.
 */
export function ownerNameFromGenerateName(generateName: string, templateHash: string | undefined): string {
  const base = generateName.endsWith('-') ? generateName.slice(0, -1) : generateName;
  if (templateHash !== undefined && templateHash !== '' && base.endsWith(`-${templateHash}`)) {
    return base.slice(0, -(templateHash.length + 1));
  }
  return base;
}

/**
 * The revision of a Pod, first found of: the `kpa-ts.dev/revision` label, the
 * `app.kubernetes.io/name` label, the owner name from generateName, the controller owner's name,
 * the Pod's own name. `undefined` when none is there.
 */
export function revisionOf(meta: ObjectMeta): { revision: string; source: string } | undefined {
  const labels = meta.labels ?? {};
  const fromLabel = labels[REVISION_LABEL];
  if (fromLabel) return { revision: fromLabel, source: `label ${REVISION_LABEL}` };
  const appName = labels[APP_NAME_LABEL];
  if (appName) return { revision: appName, source: `label ${APP_NAME_LABEL}` };
  if (meta.generateName) {
    const name = ownerNameFromGenerateName(meta.generateName, labels[POD_TEMPLATE_HASH_LABEL]);
    if (name) return { revision: name, source: 'metadata.generateName' };
  }
  const owner = meta.ownerReferences?.find((o) => o.controller === true) ?? meta.ownerReferences?.[0];
  if (owner) return { revision: ownerNameFromGenerateName(owner.name, labels[POD_TEMPLATE_HASH_LABEL]), source: `owner ${owner.kind}` };
  if (meta.name) return { revision: meta.name, source: 'metadata.name' };
  return undefined;
}
