// The door between the panel and the extension: every panel message is checked before the extension acts on it,
// and the panel's page is a strict one.
import assert from "node:assert/strict";
import { panelHtml, newNonce } from "../../webview/panelHtml";
import { EXPORT_MAX_CHARS, PanelMessageError, parsePanelRequest, type FromPanel } from "../../webview/protocol";

describe("messages from the panel, checked at the door", () => {
  it("accepts every message the panel sends, unchanged", () => {
    const valid: FromPanel[] = [
      { type: "ready" },
      { type: "openEntry", id: "n-2s" },
      { type: "pickRun", runId: "20261128T051844-0c6343" },
      { type: "compareRuns", runId: "20261128T051845-8cdfe9" },
      { type: "compareRuns" },
      { type: "export", format: "csv", fileName: "culture-lab-x.csv", content: "run,generation\r\n" },
      { type: "export", format: "json", fileName: "culture-lab-x.json", content: "{}" },
      { type: "liveUpdates", paused: true },
      { type: "agentRows", runId: "20261128T051844-0c6343" },
    ];
    for (const m of valid) assert.deepEqual(parsePanelRequest(JSON.parse(JSON.stringify(m))), m);
  });

  it("refuses anything else with a message saying what is wrong", () => {
    const refused: [unknown, RegExp][] = [
      [null, /must be an object/],
      [[], /must be an object/],
      [{ type: "runShell", command: "rm -rf /" }, /unknown panel message type 'runShell'/],
      [{ type: "openEntry", id: "../../etc/passwd" }, /'id' is not valid/],
      [{ type: "openEntry" }, /'id' is not valid/],
      [{ type: "pickRun", runId: "../x" }, /'runId' is not valid/],
      [{ type: "export", format: "csv", fileName: "../../.bashrc.csv", content: "" }, /'fileName' is not valid/],
      [{ type: "export", format: "json", fileName: "a.csv", content: "" }, /must end with the format/],
      [{ type: "export", format: "html", fileName: "a.html", content: "" }, /format must be csv or json/],
      [{ type: "export", format: "csv", fileName: "a.csv", content: "x".repeat(EXPORT_MAX_CHARS + 1) }, /at most/],
      [{ type: "liveUpdates", paused: "yes" }, /'paused' must be true or false/],
      [{ type: "agentRows", runId: "../../.culture" }, /'runId' is not valid/],
      [{ type: "agentRows" }, /'runId' is not valid/],
    ];
    for (const [raw, why] of refused) assert.throws(() => parsePanelRequest(raw), (e: unknown) => e instanceof PanelMessageError && why.test(e.message), JSON.stringify(raw)?.slice(0, 80));
  });

  it("drops fields a message does not declare", () => {
    assert.deepEqual(parsePanelRequest({ type: "ready", extra: "<script>" }), { type: "ready" });
  });
});

describe("the panel's page", () => {
  const nonce = newNonce();
  const html = panelHtml({ cspSource: "https://file+.vscode-resource.vscode-cdn.net", scriptUri: "https://x/dist/webview/panel.js", styleUri: "https://x/dist/webview/panel.css", nonce });

  it("has a Content-Security-Policy that allows nothing but its nonce'd script and the extension's styles", () => {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    assert.ok(csp?.startsWith("default-src 'none'; "), csp);
    assert.match(csp!, new RegExp(`script-src 'nonce-${nonce}'(;|$)`));
    assert.doesNotMatch(csp!, /unsafe-inline|unsafe-eval|strict-dynamic|\*/);
  });

  it("lets the page start only a worker it made itself from the extension's own files (the lineage layout)", () => {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!;
    const directives = new Map(csp.split("; ").map((d) => [d.split(" ")[0]!, d.split(" ").slice(1).join(" ")]));
    assert.equal(directives.get("worker-src"), "blob:", "a worker only from a blob: URL, which only the page's own script can make");
    assert.equal(directives.get("connect-src"), "https://file+.vscode-resource.vscode-cdn.net", "fetched only from the extension's resource host");
    assert.equal(directives.get("script-src"), `'nonce-${nonce}'`, "page scripts still need the nonce");
  });

  it("loads one script and one stylesheet, both with the nonce, and has no inline script, style or handler", () => {
    assert.equal(html.match(/<script /g)?.length, 1);
    assert.match(html, new RegExp(`<script src="https://x/dist/webview/panel.js" nonce="${nonce}"></script>`));
    assert.match(html, new RegExp(`<link rel="stylesheet" href="https://x/dist/webview/panel.css" nonce="${nonce}">`));
    assert.doesNotMatch(html, /\son[a-z]+=|<style|style=/i);
  });

  it("gets a fresh nonce every load and refuses a weak one", () => {
    assert.notEqual(newNonce(), newNonce());
    assert.match(newNonce(), /^[A-Za-z0-9]{24}$/);
    assert.throws(() => panelHtml({ cspSource: "x", scriptUri: "a", styleUri: "b", nonce: "abc" }), /nonce/);
  });
});
