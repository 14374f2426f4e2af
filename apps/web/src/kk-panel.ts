// Knights & Knaves: generate a puzzle with the task's generator, show its prompt, ask the model
// (or take the programmatic teacher's trace) and grade the completion with the paper's reward.
import {
  generateKkPuzzlesOfSize,
  kkPrompt,
  kkTask,
  kkTeacherTrace,
  KK_MAX_PEOPLE,
  KK_MIN_PEOPLE,
  type Grade,
  type KkPuzzle,
  type PromptStyle,
} from '@warmup/tasks';
import type { AppContext } from './context.ts';
import { byId, numberInput, visible } from './dom.ts';

function badge(text: string, good: boolean | undefined): HTMLElement {
  const b = document.createElement('span');
  b.className = `badge${good === undefined ? '' : good ? ' good' : ' bad'}`;
  b.textContent = text;
  return b;
}

export function showGrade(g: Grade | undefined, el: HTMLElement = byId('kk-grade')): void {
  if (!g) {
    el.replaceChildren();
    return;
  }
  el.replaceChildren(
    badge(`reward ${g.reward.toFixed(2)}`, g.reward > 0),
    badge(g.correct ? 'correct' : 'wrong', g.correct),
    badge(g.formatOk ? 'format ok' : 'bad format', g.formatOk),
  );
  el.title = g.detail ?? (g.extracted ? `extracted: ${g.extracted}` : '');
}

export function mountKkPanel(ctx: AppContext): void {
  const people = byId<HTMLSelectElement>('kk-people');
  for (let n = KK_MIN_PEOPLE; n <= KK_MAX_PEOPLE; n++)
    people.append(new Option(String(n), String(n), n === 3, n === 3));
  const style = byId<HTMLSelectElement>('kk-style');
  let puzzle: KkPuzzle | undefined;

  const prompt = (): string => (puzzle ? kkPrompt(puzzle, style.value as PromptStyle) : '');
  const setCompletion = (text: string, grade?: Grade): void => {
    byId('kk-completion').textContent = visible(text);
    showGrade(grade);
  };

  const newPuzzle = (): void => {
    try {
      const n = Number(people.value);
      const seed = numberInput('kk-seed');
      puzzle = generateKkPuzzlesOfSize(n, 1, seed)[0];
      byId('kk-quiz').textContent = puzzle.quiz;
      byId('kk-prompt').textContent = prompt();
      byId('kk-solution').textContent = puzzle.solution_text;
      setCompletion('');
      ctx.log('info', `K&K puzzle ${puzzle.id}: ${n} people`);
    } catch (e) {
      ctx.log('error', `K&K: ${(e as Error).message}`);
    }
  };

  byId('kk-new').addEventListener('click', () => {
    // Clicking again moves to the next seed; the field always names the puzzle on screen.
    const seed = byId<HTMLInputElement>('kk-seed');
    if (puzzle && puzzle.n === Number(people.value) && puzzle.id.startsWith(`kk-s${seed.value}-`))
      seed.value = String(Number(seed.value) + 1);
    newPuzzle();
  });
  style.addEventListener('change', () => {
    byId('kk-prompt').textContent = prompt();
  });

  byId('kk-teacher').addEventListener('click', () => {
    if (!puzzle) newPuzzle();
    if (!puzzle) return;
    const completion = kkTeacherTrace(puzzle);
    setCompletion(completion, kkTask.grade(puzzle, completion));
  });

  byId('kk-ask').addEventListener('click', () => {
    if (!puzzle) newPuzzle();
    const p = puzzle;
    if (!p) return;
    void ctx.run('K&K', async () => {
      if (!ctx.model) throw new Error('no model: create one from a preset or load one first');
      setCompletion('…');
      const reply = await ctx.api.generate({
        prompt: prompt(),
        maxNewTokens: numberInput('gen-max'),
        temperature: numberInput('gen-temp'),
        topP: numberInput('gen-topp'),
        topK: numberInput('gen-topk'),
        greedy: byId<HTMLInputElement>('gen-greedy').checked,
        seed: numberInput('gen-seed'),
      });
      const text = reply.text ?? `(no tokenizer) ids: ${reply.ids.join(' ')}`;
      setCompletion(text, kkTask.grade(p, text));
    });
  });
}
