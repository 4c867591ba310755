// The render settings of the controller process: its flags over the operator config file
// (upstream's --config-file) over the defaults.
import { readFileSync } from 'node:fs';
import { ConfigError, type ControllerConfig } from './config.js';
import { EMPTY_OPERATOR_CONFIG, parseOperatorConfig, type OperatorConfig } from './operator-config.js';
import { defaultRenderSettings, type RenderSettings } from './render/index.js';

/** The settings from the flags over the operator config file over the defaults. */
export function renderSettings(config: ControllerConfig, file: OperatorConfig = EMPTY_OPERATOR_CONFIG): RenderSettings {
  const base = defaultRenderSettings();
  const { java, python, go } = config.runnerImages;
  const images = file.runnerImages;
  return {
    ...base,
    scalerAddress: config.scalerAddress,
    bridgeImage: config.bridgeImage ?? base.bridgeImage,
    downloaderImage: config.downloaderImage ?? base.downloaderImage,
    defaultAffinity: config.defaultAffinity,
    runnerImages: { java: java ?? images.java ?? base.runnerImages.java, python: python ?? images.python ?? base.runnerImages.python, go: go ?? images.go ?? base.runnerImages.go },
    genericRunnerImages: { ...base.genericRunnerImages, ...images.genericRuntime },
    ...(file.imagePullPolicy ? { imagePullPolicy: file.imagePullPolicy } : {}),
    runnerImagePullSecrets: file.runnerImagePullSecrets,
    resourceLabels: file.resourceLabels,
    resourceAnnotations: file.resourceAnnotations,
  };
}

/** The operator config file as it is at start; a missing or invalid file stops the start. */
export function loadOperatorConfig(file: string | undefined): { text: string; config: OperatorConfig } {
  if (!file) return { text: '', config: EMPTY_OPERATOR_CONFIG };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`--config-file ${file} cannot be read (${err instanceof Error ? err.message : String(err)}): mount the operator ConfigMap there, or drop the flag`);
  }
  try {
    return { text, config: parseOperatorConfig(text, file) };
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message : String(err));
  }
}
