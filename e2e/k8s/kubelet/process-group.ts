// Every container runs as the leader of its own process group (spawn detached → setsid), so a
// signal to the group reaches whatever the container started. The groups still alive are tracked
// here, and killed with SIGKILL when this process exits, however it exits: no child outlives the
// kubelet.
const live = new Set<number>();
let hooked = false;

function killAllNow(): void {
  for (const pgid of live) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

export function trackGroup(pgid: number): void {
  live.add(pgid);
  if (hooked) return;
  hooked = true;
  process.on('exit', killAllNow);
}

export function untrackGroup(pgid: number): void {
  live.delete(pgid);
}

/** Signals a whole process group; false when it no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** How many groups are alive (tests check that none are left). */
export function liveGroups(): number {
  return live.size;
}
