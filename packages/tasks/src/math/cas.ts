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

function wrap(_ce: ComputeEngineType, e: BoxedExpr): CasExpr {
  const variables = [...e.unknowns];
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
