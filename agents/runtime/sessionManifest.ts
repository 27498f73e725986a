// What a session ran on, recorded so a run can be reproduced and compared: each model file's SHA-256 and GGUF
// metadata, the node-llama-cpp and llama.cpp versions, the runtime settings and every agent's sampling.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import type { ModelFileInfo } from "./modelFile";
import type { AgentSpec, OpenRuntimeConfig } from "./runtimeConfig";

export interface SessionManifest {
  createdAt: string;
  nodeLlamaCpp: string;
  llamaCpp: string;
  /** Which binary decoded: "native build (…)" or "prebuilt (…)" (see llamaBuild.ts). */
  llamaBuild: string;
  gpu: string | false;
  runtime: Omit<OpenRuntimeConfig, "modelsDir">;
  models: Array<ModelFileInfo & { sha256: string; chatTemplate: string; contexts: number }>;
  agents: Array<{ id: string; modelPath: string; persona: string; sampling: AgentSpec["sampling"] }>;
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
