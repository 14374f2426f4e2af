// The Node TraceStore: records appended to a JSONL file, and a `<out>.progress.jsonl` log of
// finished puzzle ids written after them. On open, lines of puzzles missing from the log (a run
// killed mid-commit) and a torn last line are dropped, so a resumed run never duplicates.
import { existsSync, promises as fsp } from 'node:fs';
// The fs subpath: @warmup/node's index pulls in TF.js, which this command does not need.
import { writeFileAtomic } from '@warmup/node/fs';
import { UsageError } from '../errors.ts';
import type { DistillRecord, TraceStore } from './distill.ts';

interface Line {
  text: string;
  id: string;
}

/** Complete lines of a JSONL file (a last line without its newline was torn by a crash). */
async function readLines(file: string, flag: string): Promise<{ lines: Line[]; torn: boolean }> {
  if (!existsSync(file)) return { lines: [], torn: false };
  const text = await fsp.readFile(file, 'utf8');
  const parts = text.split('\n');
  const tail = parts.pop() ?? '';
  const lines: Line[] = [];
  parts.forEach((t, i) => {
    if (t.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch {
      throw new UsageError(
        `${flag}: ${file}:${i + 1} is not JSON; not a file this command wrote (move it away to start afresh)`,
      );
    }
    const id = (v as { id?: unknown } | null)?.id;
    if (typeof id !== 'string')
      throw new UsageError(`${flag}: ${file}:${i + 1} has no string "id"; not a file this command wrote`);
    lines.push({ text: t, id });
  });
  return { lines, torn: tail.trim() !== '' };
}

async function appendSync(file: string, text: string): Promise<void> {
  const fh = await fsp.open(file, 'a');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export class JsonlTraceStore implements TraceStore {
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    readonly out: string,
    readonly progress: string,
    private readonly done: Set<string>,
  ) {}

  static progressPath(out: string): string {
    return `${out}.progress.jsonl`;
  }

  /** Open (and repair) an output file; `log` hears about anything dropped. */
  static async open(out: string, log: (line: string) => void = () => {}): Promise<JsonlTraceStore> {
    const progress = JsonlTraceStore.progressPath(out);
    const traces = await readLines(out, '--out');
    // A log without its output (the output was deleted) describes nothing: start afresh.
    if (!existsSync(out)) await fsp.rm(progress, { force: true });
    const hadLog = existsSync(progress);
    const marks = await readLines(progress, '--out (progress log)');
    const done = new Set(marks.lines.map((l) => l.id));
    if (!hadLog) {
      // An output without a log (written elsewhere, or the log was deleted): trust its ids.
      for (const l of traces.lines) done.add(l.id);
      if (done.size) await writeFileAtomic(progress, [...done].map((id) => `${JSON.stringify({ id })}\n`).join(''));
    } else if (marks.torn) {
      await writeFileAtomic(progress, marks.lines.map((l) => `${l.text}\n`).join(''));
    }
    const keep = traces.lines.filter((l) => done.has(l.id));
    const dropped = traces.lines.length - keep.length;
    if (dropped || traces.torn) {
      log(`${out}: dropped ${dropped} line(s) of unfinished puzzles${traces.torn ? ' and a torn last line' : ''}`);
      await writeFileAtomic(out, keep.map((l) => `${l.text}\n`).join(''));
    }
    return new JsonlTraceStore(out, progress, done);
  }

  async finished(): Promise<Set<string>> {
    return new Set(this.done);
  }

  commit(id: string, records: readonly DistillRecord[], info: { samples: number; correct: number }): Promise<void> {
    // Serialised so concurrent puzzles never interleave; records first, then the finished mark.
    const run = this.chain.then(async () => {
      if (records.length) await appendSync(this.out, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
      else if (!existsSync(this.out)) await appendSync(this.out, '');
      await appendSync(
        this.progress,
        `${JSON.stringify({ id, samples: info.samples, correct: info.correct, kept: records.length })}\n`,
      );
      this.done.add(id);
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}
