// Resuming an eval run: which questions already have all their samples, and whether the stored
// run was made with the same settings (mixing settings in one folder would corrupt the report).
import type { CompletionRecord } from './records.ts';

export class ResumeMismatchError extends Error {
  constructor(message: string) {
    super(message);
    // The CLI maps errors named ConfigError to exit code 2 (bad input, not a bug).
    this.name = 'ConfigError';
  }
}

/** Settings that must not change between the parts of one run (JSON-comparable values). */
export type RunConfig = Record<string, string | number | boolean | null>;

/** Throws when `stored` (config.json of an earlier part) differs from `current` in any key. */
export function checkSameConfig(stored: RunConfig, current: RunConfig, where: string): void {
  const keys = new Set([...Object.keys(stored), ...Object.keys(current)]);
  for (const k of keys) {
    const a = JSON.stringify(stored[k] ?? null);
    const b = JSON.stringify(current[k] ?? null);
    if (a !== b) {
      throw new ResumeMismatchError(
        `${where} was made with ${k}=${a}, this run has ${k}=${b}; use another output folder`,
      );
    }
  }
}

/** Group records by question id; a question is complete iff it has exactly samples 0 … n−1. */
export function completeQuestions(records: readonly CompletionRecord[], n: number): Map<string, CompletionRecord[]> {
  const byId = new Map<string, CompletionRecord[]>();
  for (const r of records) {
    const list = byId.get(r.id) ?? [];
    list.push(r);
    byId.set(r.id, list);
  }
  const complete = new Map<string, CompletionRecord[]>();
  for (const [id, list] of byId) {
    if (list.length !== n) continue;
    const sorted = [...list].sort((a, b) => a.sample - b.sample);
    if (sorted.every((r, j) => r.sample === j)) complete.set(id, sorted);
  }
  return complete;
}
