// The door for model files: a GGUF is checked here (exists, magic, version, readable header, tensor data within
// the file, an architecture this llama.cpp knows) before llama.cpp sees it, because llama.cpp may abort the
// whole process on a bad file. Every failure is a CultureLabError that names the file.
import { stat } from "node:fs/promises";
import { GgmlType, GgufFileType, GgufInsights, readGgufFileInfo } from "node-llama-cpp";
import type { GgufFileInfo, Llama } from "node-llama-cpp";
import { CultureLabError } from "../../workspace-kb/errors";
import { hasGgufMagic } from "./modelDiscovery";

export interface ModelFileInfo {
  path: string;
  sizeBytes: number;
  ggufVersion: number;
  architecture: string;
  name: string | undefined;
  parameters: number;
  /** `general.file_type` by name, e.g. "MOSTLY_Q4_K_M" or "ALL_F32" — the quantization. */
  fileType: string;
  /** The context length the model was trained with. */
  contextLength: number | undefined;
}

const LOCAL_FILE_HINT = "Pass the path of a complete .gguf model file (run `culture-lab models` to list the ones found on this machine).";

export async function inspectModelFile(path: string, llama: Llama): Promise<ModelFileInfo> {
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new CultureLabError("model-not-gguf", `model path is not a file: ${path}`, LOCAL_FILE_HINT);
    size = s.size;
  } catch (error) {
    if (error instanceof CultureLabError) throw error;
    throw new CultureLabError("model-missing", `model file not found: ${path}`, LOCAL_FILE_HINT, { cause: error });
  }
  if (size < 24 || !(await hasGgufMagic(path))) {
    throw new CultureLabError("model-not-gguf", `not a GGUF model file: ${path}`, LOCAL_FILE_HINT);
  }

  let info: GgufFileInfo;
  try {
    info = await readGgufFileInfo(path, { readTensorInfo: true, logWarnings: false, sourceType: "filesystem" });
  } catch (error) {
    throw new CultureLabError("model-truncated", `the GGUF header of ${path} cannot be read (truncated or corrupt): ${(error as Error).message}`, LOCAL_FILE_HINT, { cause: error });
  }
  if (info.version !== 2 && info.version !== 3) {
    throw new CultureLabError("model-unsupported", `${path} is GGUF version ${info.version}; this llama.cpp reads versions 2 and 3.`, LOCAL_FILE_HINT);
  }
  const tensors = info.fullTensorInfo ?? info.tensorInfo ?? [];
  if (tensors.length === 0) {
    throw new CultureLabError("model-unsupported", `${path} holds no tensors (a vocabulary-only or adapter file?).`, LOCAL_FILE_HINT);
  }
  // The last tensor must at least start inside the file; llama.cpp checks the exact end itself, with an error.
  const lastStart = Math.max(...tensors.map((t) => Number(t.fileOffset)));
  if (lastStart >= size) {
    throw new CultureLabError("model-truncated", `${path} is truncated: tensor data should reach past byte ${lastStart}, the file has ${size} bytes.`, "Download or copy the file again; it is incomplete.");
  }

  // A tensor type this llama.cpp does not know (a newer quantization, or damage) would fail deep inside
  // node-llama-cpp with "Invalid type or block size"; say which tensor and which type instead.
  const unknown = tensors.find((t) => GgmlType[t.ggmlType] === undefined);
  if (unknown) {
    throw new CultureLabError("model-unsupported", `${path}: tensor '${unknown.name}' has type ${unknown.ggmlType}, which the llama.cpp bundled with node-llama-cpp does not know (a newer quantization, or a damaged file).`,
      "Use a model quantized in a common type (Q4_K_M, Q8_0, F16), update Culture Lab, or download the file again.");
  }
  const architecture = String(info.metadata.general?.architecture ?? "");
  let insights: GgufInsights;
  try {
    insights = await GgufInsights.from(info, llama);
  } catch (error) {
    throw new CultureLabError("model-unsupported", `${path} cannot be measured by node-llama-cpp: ${(error as Error).message}.`, LOCAL_FILE_HINT, { cause: error });
  }
  if (!insights.isSupportedByLlamaCpp) {
    throw new CultureLabError(
      "model-unsupported",
      `${path} uses the architecture '${architecture || "(none)"}', which the llama.cpp bundled with node-llama-cpp cannot load.`,
      "Choose a model of a supported architecture (llama, qwen2, gemma, phi3, mistral, …).",
    );
  }
  const fileTypeNumber = info.metadata.general?.file_type;
  return {
    path,
    sizeBytes: size,
    ggufVersion: info.version,
    architecture,
    name: info.metadata.general?.name,
    parameters: insights.totalParameters,
    fileType: fileTypeNumber === undefined ? "unknown" : (GgufFileType[fileTypeNumber] ?? `type ${fileTypeNumber}`),
    contextLength: insights.trainContextSize,
  };
}
