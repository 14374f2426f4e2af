// Where model files come from: a URL (fetch with Range requests), browser File objects or a
// FileSystemDirectoryHandle. The Node folder adapter lives in @warmup/node. Reading by byte
// range lets the loader stream one tensor at a time instead of holding the whole file.
import { CheckpointError } from './safetensors.ts';

export interface ByteFile {
  readonly name: string;
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export interface ModelSource {
  /** Human-readable location, for error messages. */
  readonly location: string;
  has(name: string): Promise<boolean>;
  open(name: string): Promise<ByteFile>;
  readText(name: string): Promise<string>;
}

export async function readJson(src: ModelSource, name: string): Promise<unknown> {
  const text = await src.readText(name);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`${src.location}/${name}: not valid JSON (${(e as Error).message})`);
  }
}

/** Files served over HTTP(S). Uses Range requests when the server honours them, else reads the
 *  whole file once and serves slices from it. */
export function urlSource(baseUrl: string, fetchImpl: typeof fetch = fetch): ModelSource {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const url = (name: string): string => new URL(name, base).toString();
  return {
    location: base.replace(/\/$/, ''),
    async has(name) {
      const r = await fetchImpl(url(name), { method: 'HEAD' });
      return r.ok;
    },
    async readText(name) {
      const r = await fetchImpl(url(name));
      if (!r.ok) throw new CheckpointError(`${url(name)}: HTTP ${r.status}`);
      return r.text();
    },
    async open(name) {
      const u = url(name);
      const head = await fetchImpl(u, { method: 'HEAD' });
      if (!head.ok) throw new CheckpointError(`${u}: HTTP ${head.status}`);
      const len = Number(head.headers.get('content-length') ?? NaN);
      let whole: Uint8Array | undefined;
      const getWhole = async (): Promise<Uint8Array> => {
        if (!whole) {
          const r = await fetchImpl(u);
          if (!r.ok) throw new CheckpointError(`${u}: HTTP ${r.status}`);
          whole = new Uint8Array(await r.arrayBuffer());
        }
        return whole;
      };
      const size = Number.isFinite(len) ? len : (await getWhole()).length;
      return {
        name,
        size,
        async read(offset, length) {
          if (length === 0) return new Uint8Array(0);
          if (whole) return whole.subarray(offset, offset + length);
          const r = await fetchImpl(u, { headers: { Range: `bytes=${offset}-${offset + length - 1}` } });
          if (r.status === 206) {
            const b = new Uint8Array(await r.arrayBuffer());
            if (b.length !== length)
              throw new CheckpointError(`${u}: short read at ${offset} (${b.length} of ${length} bytes)`);
            return b;
          }
          if (!r.ok) throw new CheckpointError(`${u}: HTTP ${r.status}`);
          whole = new Uint8Array(await r.arrayBuffer());
          return whole.subarray(offset, offset + length);
        },
      };
    },
  };
}

function blobFile(name: string, blob: Blob): ByteFile {
  return {
    name,
    size: blob.size,
    async read(offset, length) {
      return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    },
  };
}

/** Files picked in the browser (`<input type=file multiple>` or drag and drop). */
export function fileListSource(files: Iterable<File>, location = 'selected files'): ModelSource {
  const byName = new Map<string, File>();
  for (const f of files) byName.set(f.name, f);
  const get = (name: string): File => {
    const f = byName.get(name);
    if (!f) throw new CheckpointError(`${location}: missing file ${name}`);
    return f;
  };
  return {
    location,
    async has(name) {
      return byName.has(name);
    },
    async readText(name) {
      return get(name).text();
    },
    async open(name) {
      return blobFile(name, get(name));
    },
  };
}

/** A directory opened with the File System Access API (or an OPFS directory). */
export function directoryHandleSource(dir: FileSystemDirectoryHandle): ModelSource {
  const file = async (name: string): Promise<File> => {
    try {
      return await (await dir.getFileHandle(name)).getFile();
    } catch {
      throw new CheckpointError(`${dir.name}: missing file ${name}`);
    }
  };
  return {
    location: dir.name,
    async has(name) {
      try {
        await dir.getFileHandle(name);
        return true;
      } catch {
        return false;
      }
    },
    async readText(name) {
      return (await file(name)).text();
    },
    async open(name) {
      return blobFile(name, await file(name));
    },
  };
}

/** Files held in memory (tests, models created in a browser tab). */
export function memorySource(files: Map<string, Uint8Array | string>, location = 'memory'): ModelSource {
  const get = (name: string): Uint8Array | string => {
    const f = files.get(name);
    if (f === undefined) throw new CheckpointError(`${location}: missing file ${name}`);
    return f;
  };
  return {
    location,
    async has(name) {
      return files.has(name);
    },
    async readText(name) {
      const f = get(name);
      return typeof f === 'string' ? f : new TextDecoder().decode(f);
    },
    async open(name) {
      const f = get(name);
      const b = typeof f === 'string' ? new TextEncoder().encode(f) : f;
      return { name, size: b.length, read: async (o, l) => b.subarray(o, o + l) };
    },
  };
}

/** Where a checkpoint is written; implementations make the whole write atomic. */
export interface ModelSink {
  writeText(name: string, text: string): Promise<void>;
  /** Write a binary file from chunks produced one at a time (streamed, never concatenated). */
  writeChunks(name: string, chunks: AsyncIterable<Uint8Array>): Promise<void>;
}

/** A sink that keeps files in memory (browser downloads, tests). */
export function memorySink(): ModelSink & { files: Map<string, Uint8Array | string> } {
  const files = new Map<string, Uint8Array | string>();
  return {
    files,
    async writeText(name, text) {
      files.set(name, text);
    },
    async writeChunks(name, chunks) {
      const parts: Uint8Array[] = [];
      let n = 0;
      for await (const c of chunks) {
        parts.push(c);
        n += c.length;
      }
      const out = new Uint8Array(n);
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      files.set(name, out);
    },
  };
}
