// Grading and both reward schemes: the paper's format gate, Logic-RL's structure check, tolerant
// answer parsing, and a fuzz run showing grade() never throws and stays within its bounds.
import { describe, expect, it } from 'vitest';
import { gradeKk, KK_MIN_REWARD, paperFormat, logicRlFormat } from '../src/kk/reward.ts';
import { parseAnswer } from '../src/kk/answer.ts';
import { createKkTask, kkPrompt } from '../src/kk/task.ts';
import { generatePuzzles } from '../src/kk/generator.ts';
import { mulberry32 } from '../src/kk/rng.ts';

const names = ['Zoey', 'Oliver', 'Ethan'];
const solution = [true, false, true];
const good =
  ' reasoning here </think> <answer> (1) Zoey is a knight\n(2) Oliver is a knave\n(3) Ethan is a knight </answer>';
const paper = (c: string) => gradeKk(c, names, solution, 'paper');
const lrl = (c: string) => gradeKk(c, names, solution, 'logic-rl');

describe('kk paper reward', () => {
  it('gives +2 / -0.5 / -1 after the gate and -2 when the gate fails', () => {
    expect(paper(good)).toMatchObject({ reward: 2, correct: true, formatOk: true, parts: { format: 0, answer: 2 } });
    expect(paper(good.replace('Oliver is a knave', 'Oliver is a knight'))).toMatchObject({
      reward: -0.5,
      correct: false,
      formatOk: true,
    });
    expect(paper(good.replace('(2) Oliver is a knave\n', ''))).toMatchObject({
      reward: -1,
      correct: false,
      formatOk: true,
    });
    expect(paper(good.replace('</think>', ''))).toMatchObject({
      reward: -2,
      formatOk: false,
      parts: { format: -2, answer: 0 },
    });
  });

  it('gate: exactly one </think>, <answer>, </answer>, and nothing after </answer> but whitespace/EOS', () => {
    expect(paperFormat(good).ok).toBe(true);
    expect(paperFormat(`<think>${good}`).ok).toBe(true); // completions may open <think> themselves
    expect(paperFormat(`${good}  \n<|im_end|>`).ok).toBe(true);
    expect(paperFormat(`${good}<|endoftext|>\n</s>`).ok).toBe(true);
    expect(paperFormat(`${good} extra`).ok).toBe(false);
    expect(paperFormat(`a </think> b ${good}`).ok).toBe(false);
    expect(paperFormat(good.replace('<answer>', '<answer><answer>')).ok).toBe(false);
    expect(paperFormat(`${good}</answer>`).ok).toBe(false);
    expect(paperFormat('').ok).toBe(false);
    expect(paper(`${good}\n<|im_end|>`).reward).toBe(2);
  });

  it('accepts case, spacing, order, plain lines, colons and negations', () => {
    const variants = [
      '</think> <answer>ZOEY IS A KNIGHT\nOLIVER is a KNAVE\nethan is a Knight</answer>',
      '</think><answer>\n  (3)   Ethan   is a knight\n(1) Zoey is a knight\n (2) Oliver is a knave  \n</answer>',
      '</think> <answer>Zoey: knight; Oliver: knave; Ethan: knight</answer>',
      '</think> <answer>Zoey is a knight, Oliver is not a knight, and Ethan is not a knave.</answer>',
      "</think> <answer>**Zoey** is a knight\n**Oliver** isn't a knight\n**Ethan** is a knight</answer>",
    ];
    for (const v of variants) expect(paper(v), v).toMatchObject({ correct: true, reward: 2 });
  });

  it('treats a name given both identities, or a missing name, as unparseable', () => {
    expect(
      paper('</think> <answer>Zoey is a knight\nZoey is a knave\nOliver is a knave\nEthan is a knight</answer>').reward,
    ).toBe(-1);
    expect(paper('</think> <answer>Zoey is a knight\nOliver is a knave</answer>').reward).toBe(-1);
    expect(paper('</think> <answer></answer>').reward).toBe(-1);
  });

  it('matches whole names only', () => {
    expect(parseAnswer('Anna is a knave\nAnn is a knight', ['Ann', 'Anna'])).toEqual({
      ok: true,
      knights: [true, false],
    });
    expect(parseAnswer('Annabel is a knight\nAnna is a knave', ['Ann', 'Anna']).ok).toBe(false);
  });
});

describe('kk logic-rl reward', () => {
  it('format ±1 plus answer +2 / -1.5 / -2', () => {
    expect(lrl(good)).toMatchObject({ reward: 3, parts: { format: 1, answer: 2 }, correct: true });
    expect(lrl(good.replace('Ethan is a knight', 'Ethan is a knave'))).toMatchObject({
      reward: -0.5,
      parts: { format: 1, answer: -1.5 },
    });
    expect(lrl(good.replace('(3) Ethan is a knight', ''))).toMatchObject({
      reward: -1,
      parts: { format: 1, answer: -2 },
    });
    expect(lrl(good.replace('</think>', ''))).toMatchObject({ reward: -3, parts: { format: -1, answer: -2 } });
  });

  it("implies the prompt's <think>, accepts an explicit one, and checks tag order", () => {
    expect(logicRlFormat(good).ok).toBe(true);
    expect(logicRlFormat(`  <think>${good}`).ok).toBe(true);
    expect(logicRlFormat(`<think>${good.replace('reasoning', '<think>')}`).ok).toBe(false);
    expect(logicRlFormat('x <answer> a </answer> </think>').ok).toBe(false);
    expect(logicRlFormat(`${good} trailing text`).ok).toBe(true); // Logic-RL does not require ending on </answer>
  });
});

describe('kk task', () => {
  it('builds prompts in both styles and grades through the Task interface', async () => {
    const [p] = generatePuzzles({ people: [3], count: 1, seed: 9 });
    const task = createKkTask('paper');
    const parts = task.promptParts(p);
    expect(parts.user.startsWith(p.quiz)).toBe(true);
    expect(parts.user).toContain('<answer>');
    expect(parts.system).toContain('<think>');
    expect(kkPrompt(p, 'r1').endsWith('Assistant: <think>')).toBe(true);
    expect(kkPrompt(p, 'chat').startsWith('<|im_start|>system\n')).toBe(true);
    expect(kkPrompt(p, 'chat').endsWith('<|im_start|>assistant\n<think>')).toBe(true);
    const completion = ` ok </think> <answer> ${p.solution_text_format} </answer>`;
    expect(await task.grade(p, completion)).toMatchObject({ correct: true, reward: 2 });
    expect(task.minReward).toBe(-2);
    expect(createKkTask('logic-rl').minReward).toBe(-3);
  });
});

describe('kk grading never throws', () => {
  it('survives 5,000 random mixes of tags, names and noise, staying within [minReward, max]', () => {
    const rng = mulberry32(99);
    const bits = [
      '<think>',
      '</think>',
      '<answer>',
      '</answer>',
      ' ',
      '\n',
      'Zoey',
      'Oliver',
      'Ethan',
      ' is a ',
      'knight',
      'knave',
      'KNAVE',
      '(1)',
      ':',
      '<|im_end|>',
      '\\',
      '(',
      '[',
      '*',
      'é',
      '\u0000',
      'not ',
    ];
    for (let t = 0; t < 5000; t++) {
      let s = '';
      const len = rng.int(30);
      for (let i = 0; i < len; i++) s += rng.pick(bits);
      for (const scheme of ['paper', 'logic-rl'] as const) {
        const g = gradeKk(s, names, solution, scheme);
        expect(g.reward).toBeGreaterThanOrEqual(KK_MIN_REWARD[scheme]);
        expect(g.reward).toBeLessThanOrEqual(scheme === 'paper' ? 2 : 3);
        expect(g.reward).toBe(g.parts.format + g.parts.answer);
      }
    }
    expect(() => gradeKk(undefined as unknown as string, names, solution)).not.toThrow();
    expect(gradeKk('x'.repeat(200_000) + good, names, solution).reward).toBe(2);
  });
});
