// TEMPORARY: the shapes @kpa-ts/scaling is about to export; replaced by imports once it lands.
export interface PodStat {
  pod: string;
  src: 'qp' | 'act';
  tsMs: number;
  concurrency: number;
  proxiedConcurrency: number;
  requests: number;
  proxiedRequests: number;
  uptimeS?: number;
}
