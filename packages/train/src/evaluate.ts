// Evaluation hook shared by the trainers' front ends: greedy answers to held-out task questions,
// graded by the task (accuracy, format rate, mean reward), with a few samples to read.
import { generate, type Qwen2Model } from '@warmup/core';

export interface TaskEvaluation {
  metrics: Record<string, number>;
  samples: { id: string; completion: string; correct: boolean; reward: number }[];
}

/** Questions with their rendered prompts and the task that grades an answer. */
export interface EvaluationData<E extends { id: string }> {
  examples: E[];
  prompts: string[];
  task: {
    grade(
      e: E,
      completion: string,
    ):
      | { correct: boolean; formatOk: boolean; reward: number }
      | Promise<{ correct: boolean; formatOk: boolean; reward: number }>;
  };
}

/** Greedy answers to held-out task questions, graded: accuracy, format rate and mean reward. */
export async function evaluateTask<E extends { id: string }>(
  model: Qwen2Model,
  tok: {
    encode(text: string): number[];
    decode(ids: number[], skipSpecial?: boolean): string;
    eosTokenIds: number[];
    padTokenId: number;
  },
  data: EvaluationData<E>,
  maxNewTokens: number,
  batch = 24,
): Promise<TaskEvaluation> {
  const samples: TaskEvaluation['samples'] = [];
  let correct = 0;
  let format = 0;
  let reward = 0;
  for (let i = 0; i < data.examples.length; i += batch) {
    const ids = data.prompts.slice(i, i + batch).map((p) => tok.encode(p));
    const out = await generate(model, ids, {
      greedy: true,
      maxNewTokens,
      eosTokenIds: tok.eosTokenIds,
      padTokenId: tok.padTokenId,
    });
    for (let j = 0; j < out.tokens.length; j++) {
      const completion = tok.decode(out.tokens[j], true);
      const g = await data.task.grade(data.examples[i + j], completion);
      samples.push({ id: data.examples[i + j].id, completion, correct: g.correct, reward: g.reward });
      correct += g.correct ? 1 : 0;
      format += g.formatOk ? 1 : 0;
      reward += g.reward;
    }
  }
  const n = data.examples.length;
  return { metrics: { eval_accuracy: correct / n, eval_format_ok: format / n, eval_reward: reward / n }, samples };
}
