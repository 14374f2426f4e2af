// Distillation of K&K traces from a teacher behind an OpenAI-compatible endpoint: n samples per
// puzzle, each graded with the K&K reward, kept by a rule, committed one puzzle at a time to a
// TraceStore so an interrupted run resumes where it stopped. No Node APIs.
import { kkTask, renderPrompt, type KkPuzzle, type KkTask, type PromptStyle } from '@warmup/tasks';
import type { TraceRecord } from '../traces/record.ts';
import { sampleCompletions, type EndpointOptions } from './client.ts';

export type KeepRule = 'all' | 'correct' | 'best';
export const KEEP_RULES: readonly KeepRule[] = ['all', 'correct', 'best'];

export interface DistillRecord extends TraceRecord {
  reward: number;
  correct: boolean;
}

/** Where finished puzzles go. `commit` must make a puzzle's records and its "finished" mark
 *  durable together: after a crash a puzzle is either fully written or absent. */
export interface TraceStore {
  finished(): Promise<Set<string>>;
  commit(id: string, records: readonly DistillRecord[], info: { samples: number; correct: number }): Promise<void>;
}

export interface DistillOptions {
  endpoint: EndpointOptions;
  puzzles: readonly KkPuzzle[];
  samples: number;
  temperature: number;
  topP: number;
  topK?: number;
  maxTokens: number;
  concurrency: number;
  keep: KeepRule;
  promptStyle: PromptStyle;
  store: TraceStore;
  /** Stop scheduling new puzzles (and abort requests in flight) when aborted. */
  signal?: AbortSignal;
  task?: KkTask;
  log?: (line: string) => void;
  /** Called after each puzzle is committed. */
  onCommit?: (id: string) => void;
}

export interface DistillSummary {
  /** Puzzles given. */
  total: number;
  /** Already finished before this run. */
  skipped: number;
  /** Finished by this run. */
  done: number;
  samples: number;
  correct: number;
  kept: number;
  /** True when the run stopped early because of the abort signal. */
  aborted: boolean;
}

/** The samples a keep rule retains, in sample order ("best": the first with the top reward). */
export function selectKept<T extends { reward: number; correct: boolean }>(graded: readonly T[], rule: KeepRule): T[] {
  if (rule === 'all') return graded.slice();
  if (rule === 'correct') return graded.filter((g) => g.correct);
  if (graded.length === 0) return [];
  let best = graded[0];
  for (const g of graded) if (g.reward > best.reward) best = g;
  return [best];
}

/** Completions continue after the prompt's `<think>`; a chat teacher may open its own. */
export function stripLeadingThink(text: string): string {
  return text.replace(/^\s*<think>/, '');
}

export async function runDistill(o: DistillOptions): Promise<DistillSummary> {
  const task = o.task ?? kkTask;
  const log = o.log ?? (() => {});
  const finished = await o.store.finished();
  const todo = o.puzzles.filter((p) => !finished.has(p.id));
  const summary: DistillSummary = {
    total: o.puzzles.length,
    skipped: o.puzzles.length - todo.length,
    done: 0,
    samples: 0,
    correct: 0,
    kept: 0,
    aborted: false,
  };
  const source = `distill:${o.endpoint.model}`;
  const endpoint: EndpointOptions = { ...o.endpoint, signal: o.signal };
  let next = 0;
  let failure: unknown;

  async function one(p: KkPuzzle): Promise<void> {
    const parts = task.promptParts(p);
    const prompt = renderPrompt(parts, o.promptStyle);
    const samples = await sampleCompletions(endpoint, {
      system: parts.system,
      user: parts.user,
      prompt,
      n: o.samples,
      temperature: o.temperature,
      topP: o.topP,
      topK: o.topK,
      maxTokens: o.maxTokens,
    });
    const graded: DistillRecord[] = samples.map((s) => {
      const completion = endpoint.api === 'chat' ? stripLeadingThink(s.text) : s.text;
      const g = task.grade(p, completion);
      return { id: p.id, prompt, completion, source, reward: g.reward, correct: g.correct };
    });
    const kept = selectKept(graded, o.keep);
    const correct = graded.filter((g) => g.correct).length;
    await o.store.commit(p.id, kept, { samples: graded.length, correct });
    summary.done++;
    summary.samples += graded.length;
    summary.correct += correct;
    summary.kept += kept.length;
    log(
      `[${summary.skipped + summary.done}/${summary.total}] ${p.id}: ${correct}/${graded.length} correct, kept ${kept.length}`,
    );
    o.onCommit?.(p.id);
  }

  async function worker(): Promise<void> {
    while (failure === undefined && !o.signal?.aborted && next < todo.length) {
      const p = todo[next++];
      try {
        await one(p);
      } catch (e) {
        if (o.signal?.aborted) return;
        failure ??= e;
      }
    }
  }

  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, todo.length)) }, worker));
  if (failure !== undefined) throw failure;
  summary.aborted = o.signal?.aborted === true && summary.skipped + summary.done < summary.total;
  return summary;
}
