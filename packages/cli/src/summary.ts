// The headline numbers of a run, computed from the per-second samples.
import type { SecondSample, Summary } from './result.js';

function firstIndex(samples: SecondSample[], from: number, pred: (s: SecondSample) => boolean): number | undefined {
  for (let i = from; i < samples.length; i += 1) if (pred(samples[i] as SecondSample)) return i;
  return undefined;
}

/** The index where the load last went from > 0 to 0 (and stayed 0), if it did. */
function loadEndIndex(samples: SecondSample[]): number | undefined {
  let i = samples.length - 1;
  while (i >= 0 && (samples[i] as SecondSample).concurrency === 0) i -= 1;
  return i >= 0 && i < samples.length - 1 ? i + 1 : undefined;
}

function panicEpisodes(samples: SecondSample[]): number {
  let episodes = 0;
  samples.forEach((s, i) => {
    if (s.panic && !(samples[i - 1]?.panic ?? false)) episodes += 1;
  });
  return episodes;
}

const maxOf = (samples: SecondSample[], f: (s: SecondSample) => number): number => samples.reduce((m, s) => Math.max(m, f(s)), 0);

export function summarize(samples: SecondSample[]): Summary {
  const at = (i: number | undefined): number | null => (i === undefined ? null : (samples[i] as SecondSample).tS);
  const firstLoad = firstIndex(samples, 0, (s) => s.concurrency > 0);
  const firstReady = firstLoad === undefined ? undefined : firstIndex(samples, firstLoad, (s) => s.ready > 0);
  const loadEnd = loadEndIndex(samples);
  const backToZero = loadEnd === undefined ? undefined : firstIndex(samples, loadEnd, (s) => s.ready === 0 && s.replicas === 0);
  const diff = (a: number | undefined, b: number | undefined): number | null => (a === undefined || b === undefined ? null : (at(a) as number) - (at(b) as number));
  return {
    durationS: samples.at(-1)?.tS ?? 0,
    maxReadyPods: maxOf(samples, (s) => s.ready),
    maxReplicas: maxOf(samples, (s) => s.replicas),
    firstLoadS: at(firstLoad),
    timeToFirstReadyPodS: diff(firstReady, firstLoad),
    loadEndS: at(loadEnd),
    timeBackToZeroS: diff(backToZero, loadEnd),
    panicSeconds: samples.filter((s) => s.panic).length,
    panicEpisodes: panicEpisodes(samples),
    maxWaiting: maxOf(samples, (s) => s.waiting),
  };
}
