// "Download model": the worker's saved files (config.json, model.safetensors, tokenizer files)
// zipped into one folder, so a trained model leaves the tab as a loadable Hugging Face folder.
import { zipSync } from 'fflate';
import type { ModelFile } from './worker-api.ts';

/** "tiny-bytes (seed 0) + sft 15" -> "tiny-bytes-seed-0-sft-15". */
export function folderName(source: string): string {
  return (
    source
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'model'
  );
}

/** Stored, not deflated: float32 weights hardly compress and the zip is built on the main thread. */
export function zipFolder(folder: string, files: ModelFile[]): Uint8Array {
  return zipSync(Object.fromEntries(files.map((f) => [`${folder}/${f.name}`, f.data])), { level: 0 });
}

export function saveAs(name: string, data: Uint8Array, type: string): void {
  const url = URL.createObjectURL(new Blob([data as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
