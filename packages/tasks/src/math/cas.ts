// The computer-algebra seam: the grader only needs "parse LaTeX, list free variables, evaluate at a
// point, give a canonical key". @cortex-js/compute-engine backs it because it parses LaTeX itself
// (mathjs/nerdamer would need a LaTeX translator of our own); swap it by writing another `Cas`.
import type { ComputeEngine as ComputeEngineType } from '@cortex-js/compute-engine';

export interface Complex {
  re: number;
  im: number;
}

export interface CasExpr {
  /** Free variables, to be given values by `evaluate`. */
  readonly variables: readonly string[];
  /** Canonical structural form: equal keys mean the same expression. */
  readonly key: string;
  /** Numeric value with the variables bound; undefined when it cannot be evaluated. */
  evaluate(env: Readonly<Record<string, number>>): Complex | undefined;
}

export interface Cas {
  /** undefined when the input is not valid math (or too large to risk). */
  parse(latex: string): CasExpr | undefined;
  /** Build `(a) - (b)` / `(a) / (b)` without going through LaTeX again. */
  subtract(a: CasExpr, b: CasExpr): CasExpr | undefined;
}

/** Inputs beyond this are not sent to the CAS: its calls are synchronous and cannot be cut off. */
export const MAX_CAS_INPUT = 400;

type BoxedExpr = NonNullable<ReturnType<ComputeEngineType['parse']>>;

/** Symbols bound by a sum, product, integral or limit (the index k of \sum_{k=1}^{n}, the x of
 *  \lim_{x \to 0}): not free, so never given sample values. Substituting them used to turn
 *  \sum_{k=1}^{10} k and \sum_{k=1}^{9} k into the same expression, a false positive. */
function boundSymbols(json: unknown, out = new Set<string>()): Set<string> {
  if (!Array.isArray(json)) return out;
  const [head, ...args] = json as unknown[];
  if (head === 'Function') for (const a of args.slice(1)) if (typeof a === 'string') out.add(a);
  if (head === 'Sum' || head === 'Product' || head === 'Integrate' || head === 'Limit') {
    for (const a of args.slice(1)) {
      const t = Array.isArray(a) ? (a as unknown[]) : undefined;
      if (
        t &&
        (t[0] === 'Tuple' || t[0] === 'Triple' || t[0] === 'Limits' || t[0] === 'Pair') &&
        typeof t[1] === 'string'
      )
        out.add(t[1]);
      else if (typeof a === 'string' && head !== 'Limit') out.add(a);
    }
  }
  for (const a of args) boundSymbols(a, out);
  return out;
}

function wrap(_ce: ComputeEngineType, e: BoxedExpr): CasExpr {
  const bound = boundSymbols(e.json);
  const variables = [...e.unknowns].filter((v) => !bound.has(v));
  return {
    variables,
    key: JSON.stringify(e.json),
    evaluate(env) {
      try {
        const subs: Record<string, number> = {};
        for (const [k, v] of Object.entries(env)) subs[k] = v;
        const n = (variables.length ? e.subs(subs) : e).N();
        const re = n.re;
        const im = n.im;
        if (typeof re !== 'number' || typeof im !== 'number' || Number.isNaN(re) || Number.isNaN(im)) return undefined;
        return { re, im };
      } catch {
        return undefined;
      }
    },
  };
}

/** A `Cas` over one ComputeEngine instance. */
export function computeEngineCas(ce: ComputeEngineType): Cas {
  return {
    parse(latex) {
      if (latex.length > MAX_CAS_INPUT || latex.trim() === '') return undefined;
      try {
        const e = ce.parse(latex);
        if (!e?.isValid) return undefined;
        return wrap(ce, e);
      } catch {
        return undefined;
      }
    },
    subtract(a, b) {
      try {
        const e = ce.box(['Subtract', JSON.parse(a.key), JSON.parse(b.key)]);
        return e.isValid ? wrap(ce, e) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

let cached: Promise<Cas> | undefined;

/** Loads the CAS on first use (a few MB of code the browser should not fetch until needed). */
export function loadCas(): Promise<Cas> {
  cached ??= import('@cortex-js/compute-engine').then((m) => computeEngineCas(new m.ComputeEngine()));
  return cached;
}
