// toy-code: tiny Python functions in the HumanEval record format (task_id, prompt with a
// docstring, canonical_solution, test defining check(candidate), entry_point), graded in the sandbox.
// Levels: one arithmetic step, two steps, list functions, conditions.
import { pickToyItems, range, type ToyGenerateOptions, type ToyItem } from './common.ts';

export const TOY_CODE_LEVELS = [1, 2, 3, 4] as const;

interface Fn {
  name: string;
  arg: 'x' | 'xs';
  doc: string;
  body: string;
  f: (v: number | number[]) => number | boolean | number[];
}

const INTS = [0, 1, 2, 5, 7, 10];
const LISTS = [[1, 2, 3], [5], [4, 0, 9, 2], [7, 7, 1], [3, 8]];

function fns(level: number): Fn[] {
  const out: Fn[] = [];
  const num = (v: number | number[]): number => v as number;
  const list = (v: number | number[]): number[] => v as number[];
  if (level === 1)
    for (const k of range(1, 9)) {
      out.push({
        name: `add_${k}`,
        arg: 'x',
        doc: `Return x plus ${k}.`,
        body: `return x + ${k}`,
        f: (v) => num(v) + k,
      });
      out.push({
        name: `times_${k}`,
        arg: 'x',
        doc: `Return x times ${k}.`,
        body: `return x * ${k}`,
        f: (v) => num(v) * k,
      });
      out.push({
        name: `minus_${k}`,
        arg: 'x',
        doc: `Return x minus ${k}.`,
        body: `return x - ${k}`,
        f: (v) => num(v) - k,
      });
    }
  if (level === 2)
    for (const a of range(2, 9))
      for (const b of range(1, 9)) {
        out.push({
          name: `times_${a}_plus_${b}`,
          arg: 'x',
          doc: `Return x times ${a} plus ${b}.`,
          body: `return x * ${a} + ${b}`,
          f: (v) => num(v) * a + b,
        });
        out.push({
          name: `plus_${b}_times_${a}`,
          arg: 'x',
          doc: `Return x plus ${b}, then times ${a}.`,
          body: `return (x + ${b}) * ${a}`,
          f: (v) => (num(v) + b) * a,
        });
      }
  if (level === 3) {
    out.push({
      name: 'list_sum',
      arg: 'xs',
      doc: 'Return the sum of the list xs.',
      body: 'return sum(xs)',
      f: (v) => list(v).reduce((s, x) => s + x, 0),
    });
    out.push({
      name: 'list_max',
      arg: 'xs',
      doc: 'Return the largest element of xs.',
      body: 'return max(xs)',
      f: (v) => Math.max(...list(v)),
    });
    out.push({
      name: 'list_min',
      arg: 'xs',
      doc: 'Return the smallest element of xs.',
      body: 'return min(xs)',
      f: (v) => Math.min(...list(v)),
    });
    out.push({
      name: 'list_len',
      arg: 'xs',
      doc: 'Return the number of elements of xs.',
      body: 'return len(xs)',
      f: (v) => list(v).length,
    });
    out.push({
      name: 'list_reversed',
      arg: 'xs',
      doc: 'Return the list xs reversed.',
      body: 'return xs[::-1]',
      f: (v) => [...list(v)].reverse(),
    });
    out.push({
      name: 'list_first',
      arg: 'xs',
      doc: 'Return the first element of xs.',
      body: 'return xs[0]',
      f: (v) => list(v)[0],
    });
    out.push({
      name: 'list_last',
      arg: 'xs',
      doc: 'Return the last element of xs.',
      body: 'return xs[-1]',
      f: (v) => list(v)[list(v).length - 1],
    });
    for (const k of range(1, 9)) {
      out.push({
        name: `list_add_${k}`,
        arg: 'xs',
        doc: `Return a list with ${k} added to each element of xs.`,
        body: `return [x + ${k} for x in xs]`,
        f: (v) => list(v).map((x) => x + k),
      });
      out.push({
        name: `count_above_${k}`,
        arg: 'xs',
        doc: `Return how many elements of xs are greater than ${k}.`,
        body: `return len([x for x in xs if x > ${k}])`,
        f: (v) => list(v).filter((x) => x > k).length,
      });
    }
  }
  if (level === 4) {
    for (const k of range(1, 9)) {
      out.push({
        name: `at_least_${k}`,
        arg: 'x',
        doc: `Return x if x is greater than ${k}, otherwise ${k}.`,
        body: `return x if x > ${k} else ${k}`,
        f: (v) => Math.max(num(v), k),
      });
      out.push({
        name: `is_above_${k}`,
        arg: 'x',
        doc: `Return True if x is greater than ${k}, else False.`,
        body: `return x > ${k}`,
        f: (v) => num(v) > k,
      });
    }
    for (const m of range(2, 5))
      out.push({
        name: `divisible_by_${m}`,
        arg: 'x',
        doc: `Return True if x is divisible by ${m}, else False.`,
        body: `return x % ${m} == 0`,
        f: (v) => num(v) % m === 0,
      });
  }
  return out;
}

const py = (v: number | boolean | number[]): string =>
  typeof v === 'boolean' ? (v ? 'True' : 'False') : Array.isArray(v) ? `[${v.join(', ')}]` : String(v);

function enumerate(level: number): ToyItem[] {
  return fns(level).map((fn) => {
    const inputs: (number | number[])[] = fn.arg === 'x' ? INTS : LISTS;
    const asserts = inputs.map((v) => `    assert candidate(${py(v)}) == ${py(fn.f(v))}`).join('\n');
    return {
      key: `L${level}:${fn.name}`,
      level,
      record: {
        task_id: `ToyCode/${fn.name}`,
        prompt: `def ${fn.name}(${fn.arg}):\n    """${fn.doc}"""\n`,
        canonical_solution: `    ${fn.body}\n`,
        test: `def check(candidate):\n${asserts}\n`,
        entry_point: fn.name,
        level,
      },
    };
  });
}

export function generateToyCode(o: ToyGenerateOptions): ToyItem[] {
  return pickToyItems('code', TOY_CODE_LEVELS, enumerate, o);
}
