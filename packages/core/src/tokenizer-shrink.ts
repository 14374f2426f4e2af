// Shrinks a byte-level BPE tokenizer to the tokens a corpus uses: keeps every byte token, every
// token the corpus encodes to, and every token on a merge path to one of those, then renumbers.
// The corpus tokenizes to the same token strings as before; other text still encodes (into
// smaller pieces). A 151k-row embedding becomes a few thousand rows for tiny models.
import type { TextTokenizer } from './tokenizer.ts';

interface BpeModel {
  type: string;
  vocab: Record<string, number>;
  merges: (string | [string, string])[];
}

interface AddedToken {
  id: number;
  content: string;
  special?: boolean;
}

export interface ShrinkResult {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  /** old id -> new id for every kept token. */
  idMap: Map<number, number>;
  vocabSize: number;
}

const pair = (m: string | [string, string]): [string, string] =>
  typeof m === 'string' ? (m.split(' ') as [string, string]) : m;

export function shrinkTokenizer(full: TextTokenizer, corpus: Iterable<string>): ShrinkResult {
  const json = full.tokenizerJson as { model: BpeModel; added_tokens?: AddedToken[] } & Record<string, unknown>;
  if (json.model?.type !== 'BPE') throw new Error('shrinkTokenizer: only BPE tokenizers are supported');
  const vocab = json.model.vocab;
  const byId = new Map<number, string>();
  for (const [tok, id] of Object.entries(vocab)) byId.set(id, tok);
  const added = json.added_tokens ?? [];
  const addedIds = new Set(added.map((a) => a.id));

  const keep = new Set<string>();
  // Single characters of the byte-level alphabet: every text stays encodable.
  for (const tok of Object.keys(vocab)) if ([...tok].length === 1) keep.add(tok);
  for (const text of corpus) {
    for (const id of full.encode(text)) {
      const tok = byId.get(id);
      if (tok !== undefined) keep.add(tok);
    }
  }
  // Close over merge parents: every merge producing a kept token keeps both its parts.
  const producers = new Map<string, [string, string][]>();
  for (const m of json.model.merges) {
    const [a, b] = pair(m);
    const r = a + b;
    const list = producers.get(r);
    if (list) list.push([a, b]);
    else producers.set(r, [[a, b]]);
  }
  const stack = [...keep];
  while (stack.length) {
    const t = stack.pop()!;
    for (const [a, b] of producers.get(t) ?? []) {
      for (const p of [a, b]) {
        if (!keep.has(p) && p in vocab) {
          keep.add(p);
          stack.push(p);
        }
      }
    }
  }
  const kept = [...keep].filter((t) => t in vocab).sort((x, y) => vocab[x] - vocab[y]);
  const idMap = new Map<number, number>();
  const newVocab: Record<string, number> = {};
  kept.forEach((t, i) => {
    newVocab[t] = i;
    idMap.set(vocab[t], i);
  });
  let next = kept.length;
  const newAdded = added.map((a) => {
    const id = next++;
    idMap.set(a.id, id);
    return { ...a, id };
  });
  const merges = json.model.merges.filter((m) => {
    const [a, b] = pair(m);
    return keep.has(a) && keep.has(b) && keep.has(a + b);
  });
  const tokenizerJson = { ...json, model: { ...json.model, vocab: newVocab, merges }, added_tokens: newAdded };
  const cfg = { ...full.tokenizerConfig };
  const dec = cfg.added_tokens_decoder as Record<string, unknown> | undefined;
  if (dec) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(dec)) {
      const nid = idMap.get(Number(k));
      if (nid !== undefined) out[String(nid)] = v;
    }
    cfg.added_tokens_decoder = out;
  }
  void addedIds;
  return { tokenizerJson, tokenizerConfig: cfg, idMap, vocabSize: next };
}
