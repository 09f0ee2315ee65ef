// The live view: on a terminal one status line rewritten in place, with timeline events printed
// above it as they happen; elsewhere (a pipe, a file, --json's stderr) plain lines.
import type { TimelineEvent } from './observer.js';
import type { DemoSample } from './report-types.js';
import { liveLine, relTime } from './timeline.js';

export class LiveView {
  readonly #write: (text: string) => void;
  readonly #tty: boolean;
  readonly #startMs: number;
  #shownEvents = 0;
  #hasStatus = false;

  constructor(write: (text: string) => void, tty: boolean, startMs: number) {
    this.#write = write;
    this.#tty = tty;
    this.#startMs = startMs;
  }

  /** Prints events not shown yet, then the sample's line. */
  update(sample: DemoSample, events: readonly TimelineEvent[]): void {
    const fresh = [...events.slice(this.#shownEvents)].sort((a, b) => a.atMs - b.atMs);
    this.#shownEvents = events.length;
    const eventLines = fresh.map((e) => `  ${relTime(e.atMs, this.#startMs).padStart(8)}  * ${e.text}\n`).join('');
    if (!this.#tty) {
      this.#write(`${eventLines}${liveLine(sample)}\n`);
      return;
    }
    this.#write(`${this.#hasStatus ? '\r\x1b[2K' : ''}${eventLines}${liveLine(sample)}`);
    this.#hasStatus = true;
  }

  /** Ends the status line (before the report). */
  finish(): void {
    if (this.#tty && this.#hasStatus) this.#write('\n');
    this.#hasStatus = false;
  }
}
