// What a session started from the editor is configured with: the user's `cultureLab.*` settings (only the ones
// they set; the engine's schema supplies the rest), overridden by a preset or a session file, field by field.
import { settingPaths } from "./settingsContribution";

export type ConfigObject = { [key: string]: unknown };

/** `read(path)` returns the value the user set for `cultureLab.<path>`, or undefined when it is unset or empty. */
export function configFromSettings(read: (path: string) => unknown): ConfigObject {
  const config: ConfigObject = {};
  for (const path of settingPaths()) {
    const value = read(path);
    if (value === undefined || value === null || value === "") continue;
    setPath(config, path.split("."), value);
  }
  return config;
}

/** Deep merge: objects merge key by key, anything else in `override` replaces the base value. */
export function mergeConfig(base: ConfigObject, override: ConfigObject): ConfigObject {
  const out: ConfigObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? mergeConfig(current, value) : value;
  }
  return out;
}

export function isObject(value: unknown): value is ConfigObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function setPath(target: ConfigObject, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as ConfigObject;
  }
  node[path[path.length - 1]!] = value;
}
