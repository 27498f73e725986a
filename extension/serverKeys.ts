// API keys of inference servers, as the editor finds them for a session: a configuration names only the
// environment variable holding a server's key (apiKeyEnv); a variable set in the environment the editor started
// from wins, else the key the user stored with "Set Server API Key…" (VS Code's SecretStorage, keyed by that
// name) fills it. Found keys go into the engine process's environment and nowhere else; a key found in neither
// place stops the session before it starts, saying which command stores it. Plain logic, no `vscode`: tested
// directly.
import { loopConfigSchema, remoteModels } from "../agents/loop/loopConfig";
import { CultureLabError } from "../workspace-kb/errors";

export const SET_KEY_TITLE = "Culture Lab: Set Server API Key…";
export const CLEAR_KEY_TITLE = "Culture Lab: Clear Server API Key…";

/** An environment variable's name as apiKeyEnv accepts it (agents/remote/remoteModel.ts). */
export const KEY_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One variable a session reads a key from, and the servers (API roots) that key is for. */
export interface KeyNeed {
  name: string;
  servers: string[];
}

/**
 * The key variables a session's configuration names, with their servers. A configuration the schema refuses
 * needs nothing here: the engine refuses it at its door with the full explanation.
 */
export function keysNeeded(config: unknown): KeyNeed[] {
  const parsed = loopConfigSchema.safeParse(config ?? {});
  if (!parsed.success) return [];
  const byName = new Map<string, Set<string>>();
  for (const m of remoteModels(parsed.data)) {
    if (m.apiKeyEnv === undefined) continue;
    const servers = byName.get(m.apiKeyEnv) ?? new Set<string>();
    servers.add(m.baseUrl);
    byName.set(m.apiKeyEnv, servers);
  }
  return [...byName].map(([name, servers]) => ({ name, servers: [...servers] }));
}

export interface KeySources {
  /** The environment the editor (and so the engine) starts from. */
  env: Record<string, string | undefined>;
  /** The key stored under this name in VS Code's SecretStorage, if any. */
  stored: (name: string) => PromiseLike<string | undefined>;
}

export interface ResolvedKeys {
  /** What the engine's environment must add: only keys that came from the secret storage (the rest it inherits). */
  engineEnv: Record<string, string>;
  /** For the log: where each needed key comes from, by name only. */
  sources: Array<{ name: string; from: "environment" | "secret storage" }>;
}

/** Finds every needed key (environment first, then the secret storage); throws, naming the command to run, when one is in neither. */
export async function resolveKeys(needs: readonly KeyNeed[], sources: KeySources): Promise<ResolvedKeys> {
  const engineEnv: Record<string, string> = {};
  const found: ResolvedKeys["sources"] = [];
  const missing: KeyNeed[] = [];
  for (const need of needs) {
    if (sources.env[need.name]) {
      found.push({ name: need.name, from: "environment" });
      continue;
    }
    const stored = await sources.stored(need.name);
    if (stored) {
      engineEnv[need.name] = stored;
      found.push({ name: need.name, from: "secret storage" });
    } else missing.push(need);
  }
  if (missing.length > 0) throw missingKeys(missing);
  return { engineEnv, sources: found };
}

/** Keys found in neither place: the message names them, their servers and the command that stores one. */
export class MissingKeys extends CultureLabError {
  constructor(readonly missing: readonly KeyNeed[], message: string, hint: string) {
    super("remote-key-missing", message, hint);
  }
}

function missingKeys(missing: readonly KeyNeed[]): MissingKeys {
  const what = missing.map((m) => `${m.name} (for ${m.servers.join(", ")})`).join("; ");
  const one = missing.length === 1;
  return new MissingKeys(
    missing,
    `The session's agents on ${one ? "a server read its" : "servers read their"} API key from ${one ? "the environment variable" : "the environment variables"} ${what}, ` +
      `which ${one ? "is" : "are"} not set, and VS Code's secret storage holds no key under ${one ? "that name" : "those names"}.`,
    `Run "${SET_KEY_TITLE}" and enter ${missing.map((m) => m.name).join(", ")} as the name (the key is kept in VS Code's secret storage and given only to the engine process), ` +
      "or set it in the environment VS Code starts from; if the server needs no key, remove apiKeyEnv from the configuration.",
  );
}

/** The log line for resolved keys: names and where they came from, never a key. */
export function describeKeySources(resolved: ResolvedKeys): string | undefined {
  if (resolved.sources.length === 0) return undefined;
  return `Server API keys: ${resolved.sources.map((s) => `${s.name} from the ${s.from}`).join(", ")}.`;
}

/** Whether an engine started with `current` added to its environment lacks a key of `wanted` (or has another value for it). */
export function engineLacks(current: Readonly<Record<string, string>>, wanted: Readonly<Record<string, string>>): boolean {
  return Object.entries(wanted).some(([name, value]) => current[name] !== value);
}
