// Kubernetes' name-suffix alphabet (apimachinery's rand.String): no vowels, no look-alikes.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const SUFFIX_LENGTH = 5;

/** `<revision>-<5 random chars>`, like a ReplicaSet's pods; `random` is uniform in [0, 1). */
export function makePodName(revision: string, random: () => number): string {
  let suffix = '';
  for (let i = 0; i < SUFFIX_LENGTH; i += 1) {
    const idx = Math.min(ALPHABET.length - 1, Math.floor(random() * ALPHABET.length));
    suffix += ALPHABET[idx];
  }
  return `${revision}-${suffix}`;
}
