// The llama-server this project tests its remote backend against: built once per machine from the llama.cpp
// source node-llama-cpp ships (the same release our local runtime runs), static so the binary needs no .so files,
// without OpenMP like node-llama-cpp's prebuilt binaries (so bench:remote compares like with like).
import { join } from "node:path";
import { buildLlamaCpp } from "../native/llamaCppSource";

export const LLAMA_SERVER_BUILD = {
  name: "build-server",
  flags: ["-DLLAMA_BUILD_SERVER=ON", "-DBUILD_SHARED_LIBS=OFF", "-DGGML_NATIVE=ON", "-DGGML_OPENMP=OFF"],
  targets: ["llama-server"],
};

/** The path of the llama-server binary, building it first if it is not in the cache (minutes, once). */
export async function llamaServerBinary(log: (line: string) => void): Promise<string> {
  return join(await buildLlamaCpp(LLAMA_SERVER_BUILD, log), "llama-server");
}
