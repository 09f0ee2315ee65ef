// The revision-name rule, in one function the three sides share: the webhook labels a Pod with it,
// the activator names a Deployment's (and an unlabelled Pod's) revision with it, the autoscaler
// names the revision it scales with it. For a Deployment's Pods that is the Deployment's name unless
// a label says otherwise.
import { APP_NAME_LABEL, POD_TEMPLATE_HASH_LABEL, REVISION_LABEL } from './names.js';

export type Labels = Readonly<Record<string, string>> | null | undefined;

/** The parts of ObjectMeta the rule reads (a Pod's, or a Deployment's name with its template's labels). */
export interface RevisionNameInput {
  name?: string | null | undefined;
  generateName?: string | null | undefined;
  labels?: Labels;
  ownerReferences?: readonly { kind: string; name: string; controller?: boolean | null | undefined }[] | null | undefined;
}

export interface RevisionName {
  revision: string;
  /** Where it came from, for messages: `label kpa-ts.dev/revision`, `metadata.generateName`, … */
  source: string;
}

/**
 * The owner's name from a ReplicaSet Pod's generateName `web-5d75b59c69-`: without the trailing
 * `-`, and without `-<pod-template-hash>` when the label says so, it is the Deployment's name.
 */
export function ownerNameFromGenerateName(generateName: string, templateHash: string | null | undefined): string {
  const base = generateName.endsWith('-') ? generateName.slice(0, -1) : generateName;
  if (templateHash && base.endsWith(`-${templateHash}`)) return base.slice(0, -(templateHash.length + 1));
  return base;
}

/**
 * The revision, first found of: the `kpa-ts.dev/revision` label, the `app.kubernetes.io/name`
 * label, the owner name from generateName, the controller owner's name (ReplicaSet → Deployment),
 * the object's own name. `undefined` when none is there.
 */
export function revisionOf(meta: RevisionNameInput): RevisionName | undefined {
  const labels = meta.labels ?? {};
  const fromLabel = labels[REVISION_LABEL];
  if (fromLabel) return { revision: fromLabel, source: `label ${REVISION_LABEL}` };
  const appName = labels[APP_NAME_LABEL];
  if (appName) return { revision: appName, source: `label ${APP_NAME_LABEL}` };
  const hash = labels[POD_TEMPLATE_HASH_LABEL];
  if (meta.generateName) {
    const owner = ownerNameFromGenerateName(meta.generateName, hash);
    if (owner) return { revision: owner, source: 'metadata.generateName' };
  }
  const ref = meta.ownerReferences?.find((o) => o.controller === true) ?? meta.ownerReferences?.[0];
  if (ref) return { revision: ownerNameFromGenerateName(ref.name, hash), source: `owner ${ref.kind}` };
  if (meta.name) return { revision: meta.name, source: 'metadata.name' };
  return undefined;
}

/**
 * A Deployment's revision: the rule above on its pod template's labels and its own name, i.e. the
 * template's `kpa-ts.dev/revision`, else its `app.kubernetes.io/name`, else the Deployment's name —
 * what the webhook will label the Deployment's Pods with.
 */
export function deploymentRevisionName(name: string, templateLabels: Labels): string {
  return revisionOf({ name, labels: templateLabels })?.revision ?? name;
}
