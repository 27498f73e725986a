// What a runtime ran on (the session records it in its run manifest), recorded so a run can be reproduced and compared: each model file's SHA-256 and GGUF
// metadata, the node-llama-cpp and llama.cpp versions, the runtime settings and every agent's sampling.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import type { ModelFileInfo } from "./modelFile";
import type { AgentSpec, OpenRuntimeConfig } from "./runtimeConfig";

export interface RuntimeManifest {
  createdAt: string;
  nodeLlamaCpp: string;
  llamaCpp: string;
  /** Which binary decoded: "native build (…)" or "prebuilt (…)" (see llamaBuild.ts). */
  llamaBuild: string;
  gpu: string | false;
  runtime: Omit<OpenRuntimeConfig, "modelsDir">;
  models: Array<ModelFileInfo & { sha256: string; chatTemplate: string; contexts: number }>;
  /** Per agent: which backend and model answered it (a mixed population names each). Never an API key. */
  agents: ManifestAgent[];
  /** How far a replay of this run can be trusted to repeat it, in words. */
  reproducibility: string;
}

export type ManifestAgent =
  | { id: string; backend: "local"; model: string; modelPath: string; persona: string; sampling: AgentSpec["sampling"] }
  | {
      id: string;
      backend: "openai";
      /** The name the configuration asked for. */
      model: string;
      baseUrl: string;
      /** The model id the server reported answering with (null before its first answer). */
      servedModel: string | null;
      persona: string;
      sampling: AgentSpec["sampling"];
    };

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
