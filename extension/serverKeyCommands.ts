// The editor's side of server API keys: "Set Server API Key…" and "Clear Server API Key…" keep a key in VS Code's
// SecretStorage under its apiKeyEnv name, and before a session or a replay with agents on servers the keys it
// needs are found (serverKeys.ts) and handed to the engine process's environment. A key is never shown, logged,
// written to settings or the workspace, or sent in a protocol message; only its name is.
import * as vscode from "vscode";
import type { EngineHost } from "./engineHost";
import { CLEAR_KEY_TITLE, describeKeySources, KEY_NAME, keysNeeded, MissingKeys, resolveKeys, SET_KEY_TITLE } from "./serverKeys";

/** The names of the stored keys (SecretStorage cannot list its keys): not secret, kept in the global state. */
const STORED_NAMES = "cultureLab.serverKeyNames";

export class ServerKeys {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly engine: EngineHost,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  private storedNames(): string[] {
    return this.context.globalState.get<string[]>(STORED_NAMES, []);
  }

  /**
   * The keys `config` needs, for the engine's environment (give them with EngineHost.provideEnv once the session
   * is confirmed). Undefined when a key is missing: the user was told which, with a button that stores it.
   */
  async forSession(config: unknown): Promise<Record<string, string> | undefined> {
    try {
      const resolved = await resolveKeys(keysNeeded(config), { env: process.env, stored: (name) => this.context.secrets.get(name) });
      const line = describeKeySources(resolved);
      if (line) this.log.info(line);
      return resolved.engineEnv;
    } catch (error) {
      if (!(error instanceof MissingKeys)) throw error;
      const text = `${error.message} ${error.hint ?? ""}`;
      this.log.error(text);
      const store = SET_KEY_TITLE.replace("Culture Lab: ", "");
      const action = await vscode.window.showErrorMessage(`Culture Lab: ${text}`, store, "Open Log");
      if (action === store) await this.set(error.missing[0]?.name);
      if (action === "Open Log") this.log.show();
      return undefined;
    }
  }

  /** Asks for the variable's name (unless given) and the key, and stores the key under that name. */
  async set(name?: string): Promise<void> {
    const chosen =
      typeof name === "string" && KEY_NAME.test(name)
        ? name
        : await vscode.window.showInputBox({
            title: `${SET_KEY_TITLE} (1/2)`,
            prompt: "The environment variable the configuration names in apiKeyEnv",
            placeHolder: "e.g. OPENAI_API_KEY",
            value: this.storedNames()[0] ?? "",
            ignoreFocusOut: true,
            validateInput: (v) => (KEY_NAME.test(v) ? undefined : "A variable's name: letters, digits and _, not starting with a digit (not the key itself)."),
          });
    if (!chosen) return;
    const key = await vscode.window.showInputBox({
      title: `${SET_KEY_TITLE} (2/2)`,
      prompt: `The API key for ${chosen}. It is kept in VS Code's secret storage and given only to the engine process, when ${chosen} is not set in the environment.`,
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === "" ? "Enter the key (Escape cancels)." : undefined),
    });
    if (key === undefined) return;
    await this.context.secrets.store(chosen, key.trim());
    await this.context.globalState.update(STORED_NAMES, [...new Set([chosen, ...this.storedNames()])]);
    this.log.info(`Stored a server API key under ${chosen} in VS Code's secret storage.`);
    const shadowed = process.env[chosen] ? ` ${chosen} is also set in the environment, which wins: unset it there to use the stored key.` : "";
    void vscode.window.showInformationMessage(`Culture Lab: the API key for ${chosen} is stored in VS Code's secret storage.${shadowed}`);
  }

  /** Deletes a stored key (picked from the names stored), and stops an idle engine that has it. */
  async clear(): Promise<void> {
    const names = this.storedNames();
    if (names.length === 0) {
      void vscode.window.showInformationMessage(`Culture Lab: no server API key is stored. "${SET_KEY_TITLE}" stores one.`);
      return;
    }
    const picked = await vscode.window.showQuickPick(names, { title: CLEAR_KEY_TITLE, placeHolder: "The key stored under this name is deleted" });
    if (!picked) return;
    await this.context.secrets.delete(picked);
    await this.context.globalState.update(STORED_NAMES, names.filter((n) => n !== picked));
    await this.engine.forgetEnv(picked);
    this.log.info(`Deleted the server API key stored under ${picked}.`);
    void vscode.window.showInformationMessage(`Culture Lab: the API key stored under ${picked} is deleted.`);
  }
}
