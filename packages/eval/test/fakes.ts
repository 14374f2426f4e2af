// Test doubles for the harness (not for a model): a deterministic sampler that answers the gold
// answer for the first `solved[q]` samples of question q, and a grader that compares to gold.
import type { Grade } from '@warmup/tasks';
import type { EvalQuestion, GeneratedSample, Grader, Sampler } from '../src/index.ts';

export interface FakeQuestion extends EvalQuestion {
  gold: string;
  /** How many of the n samples come back right. */
  solved: number;
}

export function makeQuestions(solved: readonly number[]): FakeQuestion[] {
  return solved.map((s, i) => ({ id: `q${i}`, prompt: `question ${i}`, gold: `g${i}`, solved: s }));
}

export class FakeSampler implements Sampler {
  calls: string[][] = [];
  failOnCall = -1;
  constructor(private readonly questions: readonly FakeQuestion[]) {}

  async sample(prompts: string[], n: number): Promise<GeneratedSample[][]> {
    if (this.calls.length === this.failOnCall) throw new Error('simulated crash');
    this.calls.push(prompts);
    return prompts.map((p) => {
      const q = this.questions.find((x) => x.prompt === p)!;
      return Array.from({ length: n }, (_, j) => {
        const right = j < q.solved;
        // Wrong answers of odd samples also miss the format, to exercise format_ok.
        const text = right
          ? `<think>x</think> <answer>${q.gold}</answer>`
          : j % 2
            ? 'rambling'
            : `<think>y</think> <answer>no</answer>`;
        return { text, tokens: 10 + j, truncated: text === 'rambling' };
      });
    });
  }
}

export function fakeGrader(questions: readonly FakeQuestion[]): Grader {
  return async (i: number, completion: string): Promise<Grade> => {
    const formatOk = completion.endsWith('</answer>');
    const m = /<answer>(.*)<\/answer>/.exec(completion);
    const correct = formatOk && m?.[1] === questions[i].gold;
    return { reward: !formatOk ? -2 : correct ? 2 : -0.5, parts: {}, correct, formatOk, extracted: m?.[1] };
  };
}
