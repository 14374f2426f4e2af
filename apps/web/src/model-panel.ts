// Model loader: the shipped base, create from a preset (seeded), load a Hugging Face folder from a
// URL, or pick a local folder. Shows the loaded model's shape.
import type { AppContext } from './context.ts';
import { byId, numberInput, setFacts } from './dom.ts';
import { DEFAULT_PRESET, PRESETS, presetByName, presetTokenizerFiles } from './presets.ts';
import { SHIPPED_BASE_URL } from './shipped-base.ts';
import { proxy } from 'comlink';
import type { LoadProgress, ModelInfo } from './worker-api.ts';

const mb = (n: number): string => `${(n / 2 ** 20).toFixed(0)} MiB`;

/** "memory plan: 2.7 GiB on webgpu · loading 312 / 988 MiB (32%)" */
export function loadStatus(p: LoadProgress): string {
  const plan =
    p.plannedBytes !== undefined ? `needs about ${mb(p.plannedBytes)} on ${p.backend ?? 'this backend'}` : '';
  const load =
    p.totalBytes > 0
      ? `loading ${mb(p.doneBytes)} / ${mb(p.totalBytes)} (${Math.floor((100 * p.doneBytes) / p.totalBytes)}%)`
      : '';
  return [plan, load].filter(Boolean).join(' · ');
}

function showTab(name: string): void {
  for (const t of document.querySelectorAll<HTMLElement>('#model-panel .tab'))
    t.classList.toggle('active', t.dataset.tab === name);
  for (const b of document.querySelectorAll<HTMLElement>('#model-panel [data-tab-body]'))
    b.hidden = b.dataset.tabBody !== name;
}

function modelFacts(m: ModelInfo | undefined): [string, string][] {
  if (!m) return [];
  return [
    ['source', m.source],
    ['parameters', `${(m.parameters / 1e6).toFixed(2)} M`],
    ['layers', String(m.numLayers)],
    ['hidden', String(m.hiddenSize)],
    ['heads', `${m.numHeads} (kv ${m.numKvHeads})`],
    ['vocab', String(m.vocabSize)],
    ['tokenizer', m.tokenizer],
    ['load', `${m.loadMs} ms`],
    ...(m.plannedBytes !== undefined ? ([['memory plan', mb(m.plannedBytes)]] as [string, string][]) : []),
  ];
}

export interface ModelPanel {
  /** Load a model folder URL (relative to the page) on the current backend, as one step of a
   *  job already running under ctx.run. */
  loadUrl(url: string): Promise<ModelInfo>;
  /** Bring a loader tab to the front ('base', 'preset', 'url', 'folder'). */
  showTab(name: string): void;
}

export function mountModelPanel(ctx: AppContext): ModelPanel {
  for (const t of document.querySelectorAll<HTMLElement>('#model-panel .tab'))
    t.addEventListener('click', () => showTab(t.dataset.tab ?? 'base'));

  const select = byId<HTMLSelectElement>('preset-select');
  const desc = byId('preset-desc');
  select.replaceChildren(
    ...PRESETS.map((p) => new Option(p.name, p.name, p.name === DEFAULT_PRESET, p.name === DEFAULT_PRESET)),
  );
  const showDesc = (): void => {
    desc.textContent = presetByName(select.value)?.description ?? '';
  };
  select.addEventListener('change', showDesc);
  showDesc();

  const load = async (label: string, job: () => Promise<ModelInfo>): Promise<void> => {
    await ctx.run(label, async () => {
      await ctx.ensureBackend();
      ctx.setModel(await job());
    });
  };

  byId('preset-create').addEventListener('click', () => {
    const preset = presetByName(select.value);
    if (!preset) return;
    void load('create model', async () =>
      ctx.api.createModel(preset.config, numberInput('preset-seed'), preset.name, await presetTokenizerFiles(preset)),
    );
  });

  const status = byId('model-load-status');
  const progress = proxy((p: LoadProgress) => {
    status.textContent = loadStatus(p);
  });
  // Resolve here: inside the worker a relative URL would be relative to the worker script.
  const fromUrl = (url: string): Promise<ModelInfo> =>
    ctx.api.loadModelFromUrl(new URL(url, location.href).href, progress);
  const urlInput = byId<HTMLInputElement>('model-url');
  byId('model-url-load').addEventListener('click', () => {
    void load('load model', () => fromUrl(urlInput.value.trim() || urlInput.placeholder));
  });
  byId('base-load').addEventListener('click', () => void load('load shipped base', () => fromUrl(SHIPPED_BASE_URL)));

  const folder = byId<HTMLInputElement>('model-folder');
  folder.addEventListener('change', () => {
    // Only the folder's own files: subfolders (e.g. original/) may repeat names like config.json.
    const files = Array.from(folder.files ?? []).filter((f) => f.webkitRelativePath.split('/').length <= 2);
    if (!files.length) return;
    void load('load folder', () => ctx.api.loadModelFromFiles(files, progress));
  });

  const facts = byId('model-facts');
  ctx.onModel((m) => setFacts(facts, modelFacts(m)));
  return {
    async loadUrl(url) {
      showTab(url === SHIPPED_BASE_URL ? 'base' : 'url');
      if (url !== SHIPPED_BASE_URL) urlInput.value = url;
      await ctx.ensureBackend();
      const info = await fromUrl(url);
      ctx.setModel(info);
      return info;
    },
    showTab,
  };
}
