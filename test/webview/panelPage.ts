// Serving the built panel to a real Chromium (Debian's /usr/bin/chromium through playwright-core) for the browser
// test and the benchmark: the bundle is built with esbuild, the page is panelHtml's, and acquireVsCodeApi is a TEST
// DOUBLE injected before the page's script (VS Code itself cannot run here), recording what the panel posts.
import { build } from "esbuild";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { lazyIntlPlugin } from "../../webview/build/lazyIntlPlugin.mjs";
import { LAYOUT_SCRIPT } from "../../webview/lineageLayoutWire";
import { newNonce, panelHtml } from "../../webview/panelHtml";

export const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Builds webview/panel.ts, the lineage layout script and panel.css as esbuild.mjs does, into a fresh folder. */
export async function buildPanel(): Promise<{ dir: string; js: string; css: string; layoutJs: string }> {
  const dir = mkdtempSync(join(tmpdir(), "cl-panel-build-"));
  const common = { bundle: true, platform: "browser" as const, target: "es2022", minify: true, logLevel: "error" as const };
  await build({ ...common, entryPoints: ["webview/panel.ts"], outfile: join(dir, "panel.js"), format: "iife", plugins: [lazyIntlPlugin] });
  await build({ ...common, entryPoints: ["webview/lineageLayoutScript.ts"], outfile: join(dir, LAYOUT_SCRIPT), format: "iife" });
  await build({ ...common, entryPoints: ["webview/panel.css"], outfile: join(dir, "panel.css") });
  return { dir, js: join(dir, "panel.js"), css: join(dir, "panel.css"), layoutJs: join(dir, LAYOUT_SCRIPT) };
}

export interface PanelServer {
  url: string;
  close(): Promise<void>;
}

/**
 * A loopback server for the panel page, with a new nonce per load as the extension does. As in VS Code, the page and
 * its scripts come from different origins: the page from 127.0.0.1, the scripts and stylesheet from localhost (VS
 * Code serves them from its resource host, with CORS open, through asWebviewUri; cspSource names that origin).
 */
export async function servePanel(dir: string): Promise<PanelServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/") {
      const origin = `http://${(req.headers.host ?? "").replace(/^127\.0\.0\.1:/, "localhost:")}`;
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(panelHtml({ cspSource: origin, scriptUri: `${origin}/panel.js`, styleUri: `${origin}/panel.css`, nonce: newNonce() }));
    } else if (path === "/panel.js" || path === "/panel.css" || path === `/${LAYOUT_SCRIPT}`) {
      res.writeHead(200, { "content-type": path.endsWith(".js") ? "text/javascript" : "text/css", "access-control-allow-origin": "*" });
      res.end(readFileSync(join(dir, path.slice(1))));
    } else if (path === "/favicon.ico") {
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { url: `http://127.0.0.1:${address.port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_FLAGS });
}

/**
 * TEST DOUBLE of VS Code's webview API, installed before the page's own script: postMessage records into
 * window.__posted; getState/setState keep the state in sessionStorage so it survives a reload, as VS Code's does.
 */
export async function installVsCodeApiDouble(page: Page): Promise<void> {
  // A string, not a function: the test runner's transpiler would add helpers the page does not have.
  await page.addInitScript(`
    window.__posted = [];
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => {
        const s = sessionStorage.getItem("vscode-state");
        return s === null ? undefined : JSON.parse(s);
      },
      setState: (s) => sessionStorage.setItem("vscode-state", JSON.stringify(s)),
    });
  `);
}

/** Theme variables as VS Code sets them on the page (a subset of Light Modern, Dark Modern and High Contrast). */
export const THEMES = {
  light: {
    bodyClass: "vscode-light",
    vars: {
      "--vscode-foreground": "#3b3b3b", "--vscode-editor-background": "#ffffff", "--vscode-descriptionForeground": "#717171",
      "--vscode-focusBorder": "#005fb8", "--vscode-panel-border": "#e5e5e5", "--vscode-textLink-foreground": "#005fb8",
      "--vscode-charts-foreground": "#616161", "--vscode-charts-lines": "rgba(97,97,97,0.5)", "--vscode-charts-red": "#e51400",
      "--vscode-charts-blue": "#1a85ff", "--vscode-charts-yellow": "#bf8803", "--vscode-charts-orange": "#d18616",
      "--vscode-charts-green": "#388a34", "--vscode-charts-purple": "#652d90", "--vscode-button-secondaryBackground": "#e5e5e5",
      "--vscode-button-secondaryForeground": "#3b3b3b", "--vscode-input-background": "#ffffff", "--vscode-input-foreground": "#3b3b3b",
      "--vscode-input-border": "#cecece", "--vscode-inputValidation-errorBackground": "#f2dede", "--vscode-inputValidation-errorBorder": "#be1100",
      "--vscode-inputValidation-warningBackground": "#f6f5d2", "--vscode-inputValidation-warningBorder": "#b89500",
      "--vscode-font-family": "system-ui, sans-serif", "--vscode-font-size": "13px",
    },
  },
  dark: {
    bodyClass: "vscode-dark",
    vars: {
      "--vscode-foreground": "#cccccc", "--vscode-editor-background": "#1f1f1f", "--vscode-descriptionForeground": "#9d9d9d",
      "--vscode-focusBorder": "#0078d4", "--vscode-panel-border": "#2b2b2b", "--vscode-textLink-foreground": "#4daafc",
      "--vscode-charts-foreground": "#cccccc", "--vscode-charts-lines": "rgba(204,204,204,0.5)", "--vscode-charts-red": "#f14c4c",
      "--vscode-charts-blue": "#3794ff", "--vscode-charts-yellow": "#cca700", "--vscode-charts-orange": "#d18616",
      "--vscode-charts-green": "#89d185", "--vscode-charts-purple": "#b180d7", "--vscode-button-secondaryBackground": "#313131",
      "--vscode-button-secondaryForeground": "#cccccc", "--vscode-input-background": "#313131", "--vscode-input-foreground": "#cccccc",
      "--vscode-input-border": "#3c3c3c", "--vscode-inputValidation-errorBackground": "#5a1d1d", "--vscode-inputValidation-errorBorder": "#be1100",
      "--vscode-inputValidation-warningBackground": "#352a05", "--vscode-inputValidation-warningBorder": "#b89500",
      "--vscode-font-family": "system-ui, sans-serif", "--vscode-font-size": "13px",
    },
  },
  "high-contrast": {
    bodyClass: "vscode-high-contrast",
    vars: {
      "--vscode-foreground": "#ffffff", "--vscode-editor-background": "#000000", "--vscode-descriptionForeground": "#ffffff",
      "--vscode-focusBorder": "#f38518", "--vscode-panel-border": "#6fc3df", "--vscode-textLink-foreground": "#21a6ff",
      "--vscode-charts-foreground": "#ffffff", "--vscode-charts-lines": "rgba(255,255,255,0.5)", "--vscode-charts-red": "#f14c4c",
      "--vscode-charts-blue": "#3794ff", "--vscode-charts-yellow": "#ffd700", "--vscode-charts-orange": "#ff9e45",
      "--vscode-charts-green": "#89d185", "--vscode-charts-purple": "#b180d7", "--vscode-button-secondaryBackground": "#000000",
      "--vscode-button-secondaryForeground": "#ffffff", "--vscode-button-border": "#6fc3df", "--vscode-input-background": "#000000",
      "--vscode-input-foreground": "#ffffff", "--vscode-input-border": "#6fc3df", "--vscode-inputValidation-errorBackground": "#000000",
      "--vscode-inputValidation-errorBorder": "#f48771", "--vscode-inputValidation-warningBackground": "#000000",
      "--vscode-inputValidation-warningBorder": "#ffd700", "--vscode-font-family": "system-ui, sans-serif", "--vscode-font-size": "13px",
    },
  },
} as const;

/** Applies a theme the way VS Code does: variables on <html>'s style, a class on <body>. */
export async function applyTheme(page: Page, theme: keyof typeof THEMES): Promise<void> {
  const t = THEMES[theme];
  await page.evaluate(({ vars, bodyClass }) => {
    for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
    document.body.className = bodyClass;
  }, t);
}

/** Posts messages to the panel as the extension does, then waits until it has drawn them. */
export async function send(page: Page, messages: unknown[]): Promise<void> {
  await page.evaluate((ms) => {
    for (const m of ms) window.postMessage(m, "*");
  }, messages);
  await settle(page);
}

export async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(() => resolve())), 0)));
}

export async function posted(page: Page): Promise<Array<{ type: string } & Record<string, unknown>>> {
  return page.evaluate(() => (window as unknown as { __posted: Array<{ type: string } & Record<string, unknown>> }).__posted);
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Scrolls every chart into view once (charts below the fold are made when first seen), then back to the top. */
export async function revealCharts(page: Page): Promise<void> {
  for (const figure of await page.locator("figure.chart").all()) {
    await figure.scrollIntoViewIfNeeded();
    await figure.locator("canvas").waitFor(); // made by an IntersectionObserver callback, a task of its own
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  await settle(page);
}
