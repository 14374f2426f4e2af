// Builds the Python programs a sandbox runs to grade one candidate. The verdict never comes from a
// process that runs candidate code: a trusted run of the reference records the calls the tests make
// (and, for HumanEval+, the expected outputs); the candidate's run only calls its function on those
// arguments and reports the results as tagged plain data (py-value.ts); a second trusted run replays
// them through HumanEval's `check(candidate)`, or the page compares them with the expected outputs.
// Neither the tests, nor the reference, nor the expected values ever reach the candidate's process.

export interface CodeProblem {
  prompt: string;
  entryPoint: string;
  /** HumanEval `test` source defining `check(candidate)`. */
  test?: string;
  /** HumanEval's reference body (continues `prompt`): records the arguments `check` passes. */
  canonicalSolution?: string;
  /** HumanEval+ differential testing (takes precedence over `test`). */
  plus?: {
    canonicalSolution: string;
    /** JSON text of the argument lists (kept verbatim so `1.0` stays a float). */
    inputsJson: string;
    atol: number;
  };
}

/** A JSON string literal is a valid Python string literal (same escapes). */
function pyStr(s: string): string {
  return JSON.stringify(s);
}

/** Top-level imports of the prompt, which a completion that only gives the function may omit. */
function promptImports(prompt: string): string {
  return prompt
    .split('\n')
    .filter((l) => /^(?:import\s|from\s+\S+\s+import\s)/.test(l))
    .join('\n');
}

/** The candidate module: its own code if it defines the entry point, else a body continuing the
 *  prompt (some models answer with the function body only). */
export function candidateModule(prompt: string, code: string, entryPoint: string): string {
  const defines = new RegExp(`^\\s*(?:async\\s+)?def\\s+${entryPoint.replace(/[^\w]/g, '')}\\s*\\(`, 'm').test(code);
  return defines ? `${promptImports(prompt)}\n${code}` : `${prompt}${code}`;
}

/** A per-run random tag that frames a program's report on stdout, apart from anything else printed. */
export function newNonce(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return `__WARMUP_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}__`;
}

/** The strict encoder/decoder, the module loader and the report writer every program shares. Only
 *  exact plain types are encoded (`type(x) is int`, never isinstance or `==` on program objects). */
const PRELUDE = String.raw`
import copy as _copy, io as _io, json as _json, os as _os, random as _random, sys as _sys

class _Unsupported(Exception):
    pass

class _Sink(_io.TextIOBase):
    def write(self, s):
        return len(s)

def _enc(x, d=0):
    if d > 100:
        raise _Unsupported("nested more than 100 deep")
    t = type(x)
    if x is None or t is bool or t is str:
        return x
    if t is int:
        return {"i": format(x, "x")}
    if t is float:
        return {"f": repr(x)}
    if t is list or t is tuple:
        return {"l" if t is list else "t": [_enc(v, d + 1) for v in x]}
    if t is dict:
        return {"d": [[_enc(k, d + 1), _enc(v, d + 1)] for k, v in x.items()]}
    if t is set or t is frozenset:
        return {"s" if t is set else "fs": sorted((_enc(v, d + 1) for v in x), key=_key)}
    raise _Unsupported("cannot report a value of type " + t.__name__)

def _key(e):
    return _json.dumps(e, sort_keys=True)

def _dec(e):
    if e is None or type(e) is bool or type(e) is str:
        return e
    (tag, v), = e.items()
    if tag == "i":
        return int(v, 16)
    if tag == "f":
        return float(v)
    if tag == "l":
        return [_dec(x) for x in v]
    if tag == "t":
        return tuple(_dec(x) for x in v)
    if tag == "d":
        return {_dec(k): _dec(x) for k, x in v}
    return (set if tag == "s" else frozenset)(_dec(x) for x in v)

def _load(sources):
    ns = {"__name__": "solution", "__builtins__": __builtins__}
    out = _sys.stdout
    _sys.stdout = _Sink()  # what the code prints is not the harness's report
    try:
        for i, src in enumerate(sources):
            exec(compile(src, "solution_%d.py" % i, "exec"), ns)
    finally:
        _sys.stdout = out
    return ns

def _report(nonce, value):
    _sys.stdout.flush()
    _os.write(1, ("\n" + nonce + _json.dumps(value) + "\n").encode("utf-8"))
`;

const enc = (x: unknown): string => pyStr(JSON.stringify(x));

/** Trusted: runs only the dataset's code. Reports `{calls}` — each call's encoded argument list —
 *  and for HumanEval+ `{expected}` too; `{error}` when the reference fails its own tests. */
export function buildReferenceProgram(problem: CodeProblem, nonce: string): string {
  const entry = pyStr(problem.entryPoint);
  if (problem.plus) {
    const p = problem.plus;
    // without the `contract` asserts: those describe generated plus inputs, and HumanEval's own
    // base inputs may break them (HumanEval/116 has negative numbers)
    return [
      PRELUDE,
      `_ref = _load([${pyStr(`${problem.prompt}${p.canonicalSolution}`)}])[${entry}]`,
      `_calls, _expected = [], []`,
      `_sys.stdout = _Sink()`,
      `for _a in _json.loads(${pyStr(p.inputsJson)}):`,
      `    _calls.append(_enc(list(_a)))`,
      `    _expected.append(_enc(_ref(*_copy.deepcopy(_a))))`,
      `_sys.stdout = _sys.__stdout__`,
      `_report(${pyStr(nonce)}, {"calls": _calls, "expected": _expected})`,
      '',
    ].join('\n');
  }
  if (problem.test === undefined || problem.canonicalSolution === undefined)
    throw new Error('a code problem needs `test` and `canonical_solution`, or HumanEval+ inputs');
  return [
    PRELUDE,
    `_ns = _load([${pyStr(`${problem.prompt}${problem.canonicalSolution}`)}])`,
    `_ref = _ns[${entry}]`,
    `_calls, _expected = [], []`,
    `def _recorder(*args, **kwargs):`,
    `    if kwargs:`,
    `        raise _Unsupported("the tests pass keyword arguments")`,
    `    _calls.append(_enc(list(args)))  # before the call: it may change its arguments`,
    `    _r = _ref(*args)`,
    `    try:`,
    `        _expected.append(_enc(_r))`,
    `    except _Unsupported:`,
    `        _expected.append({"unsupported": True})`,
    `    return _r`,
    `_sys.stdout = _Sink()`,
    // the same seed in the replay run: HumanEval/50 draws its inputs from `random`
    `_random.seed(0)`,
    `exec(compile(${pyStr(problem.test)}, "tests.py", "exec"), _ns)`,
    `try:`,
    `    _ns["check"](_recorder)`,
    `    _result = {"calls": _calls, "expected": _expected}`,
    `except BaseException as _e:`,
    `    _result = {"error": "the reference solution fails its tests: %s %s" % (type(_e).__name__, _e)}`,
    `_sys.stdout = _sys.__stdout__`,
    `_report(${pyStr(nonce)}, _result)`,
    '',
  ].join('\n');
}

/** Untrusted: the candidate's code and the argument lists, nothing else. Reports one entry per call,
 *  `{"ok": encoded result}` or `{"err": exception name}`; whatever it reports is only data. */
export function buildCandidateProgram(problem: CodeProblem, code: string, calls: unknown[], nonce: string): string {
  const candidate = candidateModule(problem.prompt, code, problem.entryPoint);
  return [
    PRELUDE,
    `_calls = [_dec(c) for c in _json.loads(${enc(calls)})]`,
    `_fn = _load([${pyStr(problem.prompt)}, ${pyStr(candidate)}])[${pyStr(problem.entryPoint)}]`,
    `_out = []`,
    `_sys.stdout = _Sink()`,
    `for _a in _calls:`,
    `    try:`,
    `        _out.append({"ok": _enc(_fn(*_a))})`,
    `    except BaseException as _e:`,
    `        _out.append({"err": type(_e).__name__ if type(_e) is not _Unsupported else str(_e)})`,
    `_sys.stdout = _sys.__stdout__`,
    `_report(${pyStr(nonce)}, _out)`,
    // the candidate's exit hooks may not add output after the report (a second report voids it);
    // os._exit would do the same but ends Pyodide's runtime with an error
    `import atexit as _atexit`,
    `_atexit._clear()`,
    '',
  ].join('\n');
}

/** Trusted: HumanEval's `check(candidate)` with a stand-in that checks each call's arguments against
 *  the recorded ones and returns the candidate's reported result, rebuilt as plain data. The helpers
 *  the tests use come from the prompt and the reference, never from the candidate's module. */
export function buildVerdictProgram(problem: CodeProblem, calls: unknown[], outputs: unknown[], nonce: string): string {
  if (problem.test === undefined || problem.canonicalSolution === undefined)
    throw new Error('a verdict run needs HumanEval `test` and `canonical_solution`');
  return [
    PRELUDE,
    `_calls = [_key(c) for c in _json.loads(${enc(calls)})]`,
    `_outs = _json.loads(${enc(outputs)})`,
    // the namespace of the reference run: a test that names the entry point (HumanEval/33
    // compares with \`sort_third(...)\`) gets the reference, not the candidate
    `_ns = _load([${pyStr(`${problem.prompt}${problem.canonicalSolution}`)}])`,
    `class _Diverged(Exception):`,
    `    pass`,
    `class _CandidateRaised(Exception):`,
    `    pass`,
    `_i = 0`,
    `def _replay(*args, **kwargs):`,
    `    global _i`,
    `    if kwargs or _i >= len(_calls) or _key(_enc(list(args))) != _calls[_i]:`,
    `        raise _Diverged("call %d differs from the reference run" % _i)`,
    `    _o = _outs[_i]`,
    `    _i += 1`,
    `    if "err" in _o:`,
    `        raise _CandidateRaised("call %d raised %s" % (_i - 1, _o["err"]))`,
    `    return _dec(_o["ok"])`,
    `_sys.stdout = _Sink()`,
    `_random.seed(0)`,
    `exec(compile(${pyStr(problem.test)}, "tests.py", "exec"), _ns)`,
    `try:`,
    `    _ns["check"](_replay)`,
    `    _result = {"pass": True}`,
    `except AssertionError as _e:`,
    `    _result = {"pass": False, "detail": "assertion failed after call %d" % (_i - 1)}`,
    `except BaseException as _e:`,
    `    _result = {"pass": False, "detail": "%s: %s" % (type(_e).__name__, _e)}`,
    `_sys.stdout = _sys.__stdout__`,
    `_report(${pyStr(nonce)}, _result)`,
    '',
  ].join('\n');
}
