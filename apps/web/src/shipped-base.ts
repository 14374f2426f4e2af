// The model the page opens with: the toolkit's shipped base (models/warmup-base, served by Vite
// beside the app), or the folder URL in `?model=`, or none with `?model=none`.
import { TOY_EXPERIMENT_SETTINGS } from '@warmup/train/toy-experiment';

/** The shipped base's folder URL, relative to the page (the build copies the folder there). */
export const SHIPPED_BASE_URL = `${TOY_EXPERIMENT_SETTINGS.modelFolder}/`;

/** The folder URL to load when the page opens, or undefined for none. */
export function startupModelUrl(search: string): string | undefined {
  const asked = new URLSearchParams(search).get('model');
  if (asked === null || asked === '') return SHIPPED_BASE_URL;
  return asked === 'none' ? undefined : asked;
}
