// The engine's model-runtime methods: one runtime per engine process, opened by `runtime/open`, its agents
// addressed by id, its call accounting streamed to the client as notifications.
import type { MessageConnection } from "vscode-jsonrpc/node";
import { CultureLabError } from "../../workspace-kb/errors";
import { discoverModels } from "../runtime/modelDiscovery";
import { openRuntime } from "../runtime/runtime";
import type { Runtime, RuntimeAgent } from "../runtime/runtime";
import { defaultModelsDir } from "../runtime/runtimeConfig";
import type { EngineHandlers } from "./engineHandlers";
import {
  engineLog,
  modelsList,
  runtimeAccounting,
  runtimeAddAgent,
  runtimeCallFinished,
  runtimeClose,
  runtimeDownloadProgress,
  runtimeEmbed,
  runtimeGenerateJson,
  runtimeGenerateText,
  runtimeManifest,
  runtimeOpen,
} from "./protocol";

export function registerRuntimeHandlers(connection: MessageConnection, handle: EngineHandlers): { dispose(): Promise<void> } {
  let runtime: Runtime | undefined;
  const agents = new Map<string, RuntimeAgent>();

  const current = (): Runtime => {
    if (!runtime) throw new CultureLabError("runtime-not-open", "no model runtime is open in the engine.", "Send runtime/open first (after an engine restart, open it again).");
    return runtime;
  };
  const agentNamed = (id: string): RuntimeAgent => {
    current();
    const agent = agents.get(id);
    if (!agent) throw new CultureLabError("agent-unknown", `no agent named '${id}' in this session.`, "Add it with runtime/addAgent first.");
    return agent;
  };
  const close = async () => {
    const open = runtime;
    runtime = undefined;
    agents.clear();
    await open?.dispose();
  };

  handle(runtimeOpen, async ({ config, cwd }, signal) => {
    if (runtime) throw new CultureLabError("runtime-open", "a model runtime is already open in this engine.", "Close it with runtime/close first.");
    const opened = await openRuntime(config, {
      signal,
      cwd,
      onDownloadProgress: (p) => void connection.sendNotification(runtimeDownloadProgress, p),
      onLog: (level, message) => void connection.sendNotification(engineLog, { level, message }),
    });
    opened.onCall((usage) => void connection.sendNotification(runtimeCallFinished, usage));
    runtime = opened;
    return opened.manifest();
  });
  handle(runtimeAddAgent, async ({ spec }, signal) => {
    const agent = await current().agent(spec, { signal });
    agents.set(agent.id, agent);
    return { id: agent.id };
  });
  handle(runtimeGenerateText, ({ agentId, prompt, maxTokens }, signal) => agentNamed(agentId).generateText(prompt, { signal, maxTokens }));
  handle(runtimeGenerateJson, ({ agentId, prompt, schema, grammar, maxTokens }, signal) =>
    agentNamed(agentId).generateJson(prompt, schema, { signal, grammar, maxTokens }),
  );
  handle(runtimeEmbed, async ({ texts }, signal) => ({ vectors: await current().embed(texts, { signal }) }));
  handle(runtimeAccounting, async () => current().accounting());
  handle(runtimeManifest, () => current().manifest());
  handle(runtimeClose, async () => {
    await close();
    return null;
  });
  handle(modelsList, ({ modelsDir, extraDirs }) => discoverModels(modelsDir ?? defaultModelsDir(), extraDirs ?? []));

  return { dispose: close };
}
