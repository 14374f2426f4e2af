// Loading progress without touching the loader: a ModelSource wrapper that counts the bytes read
// from the weight files (bytes/total), for the web app's and CLI's progress displays.
import type { ByteFile, ModelSource } from './sources.ts';

export type LoadProgress = (doneBytes: number, totalBytes: number) => void;

/** Wrap `src` so every read of a .safetensors file reports (bytes read, total size of the weight
 *  files opened so far). The loader opens every shard (to index it) before reading tensors, so the
 *  total is final by the time tensor data flows. */
export function withLoadProgress(src: ModelSource, onProgress: LoadProgress): ModelSource {
  let done = 0;
  let total = 0;
  const opened = new Set<string>();
  return {
    location: src.location,
    has: (name) => src.has(name),
    readText: (name) => src.readText(name),
    async open(name): Promise<ByteFile> {
      const f = await src.open(name);
      if (!name.endsWith('.safetensors')) return f;
      if (!opened.has(name)) {
        opened.add(name);
        total += f.size;
      }
      return {
        name: f.name,
        size: f.size,
        async read(offset, length) {
          const bytes = await f.read(offset, length);
          done = Math.min(total, done + bytes.length);
          onProgress(done, total);
          return bytes;
        },
      };
    },
  };
}
