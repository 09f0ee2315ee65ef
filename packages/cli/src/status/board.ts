// What `kpa status --watch` shows: the rows, updated by every decision the bus delivers. Pure.
import type { DecisionRecord } from '@kpa-ts/bus';
import { compareRows, decisionRow, sameDecision, type StatusRow } from './rows.js';

export class StatusBoard {
  readonly #rows = new Map<string, StatusRow>();
  readonly #namespace: string | undefined;

  /** `rows`: the snapshot read at start (malformed entries included, shown until a decision replaces them). */
  constructor(rows: readonly StatusRow[], namespace?: string) {
    this.#namespace = namespace;
    for (const row of rows) this.#rows.set(row.field, row);
  }

  /**
   * A decision from the stream (or from the watcher's reload of the hash after a reconnection).
   * Replaces the revision's row, a malformed one included (the publisher overwrote that hash field).
   * False when it belongs to another namespace or says exactly what the row already says.
   */
  apply(decision: DecisionRecord): boolean {
    if (this.#namespace !== undefined && decision.ns !== this.#namespace) return false;
    const row = decisionRow(decision);
    const before = this.#rows.get(row.field);
    if (before?.kind === 'decision' && sameDecision(before.decision, decision)) return false;
    this.#rows.set(row.field, row);
    return true;
  }

  /** Sorted by namespace and revision. */
  rows(): StatusRow[] {
    return [...this.#rows.values()].sort(compareRows);
  }
}
