// The render settings as the reconcilers see them: fixed, or read at each reconcile because the
// operator config file may change them while the controller runs.
import type { RenderSettings } from '../render/context.js';

export function currentSettings(settings: RenderSettings | (() => RenderSettings)): RenderSettings {
  return typeof settings === 'function' ? settings() : settings;
}
