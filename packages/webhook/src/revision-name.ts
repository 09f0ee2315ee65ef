// Which revision a Pod belongs to: the name the queue-proxy reports stats under and the label the
// activator selects pods by. The rule is @kpa-ts/kube's `revisionOf`, shared with the activator
// and the autoscaler (label → app.kubernetes.io/name → owner from generateName → controller owner →
// the Pod's name), so the three agree.
export { ownerNameFromGenerateName, revisionOf } from '@kpa-ts/kube';

/** A valid label value: at most 63 characters, alphanumerics with `-_.` inside. */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value);
}
