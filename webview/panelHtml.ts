// The panel's HTML shell: a strict page (CSP default-src 'none', scripts and the stylesheet only from the given
// URIs with a per-load nonce, no inline handlers or styles). The one exception to "nonce only": the lineage layout
// script beside panel.js is fetched from cspSource (connect-src) and started as a Web Worker from a blob: URL the
// page makes of it (worker-src blob:), because a worker must be same-origin and webview resources are not. The extension calls it with webview.asWebviewUri(...)
// values and webview.cspSource; the browser test calls it with http URLs. Everything else is drawn by panel.js.

export interface PanelHtmlOptions {
  /** webview.cspSource (the origin the URIs below are served from). */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  /** Fresh for every page load: at least 16 random characters from [A-Za-z0-9]. */
  nonce: string;
}

export function panelHtml({ cspSource, scriptUri, styleUri, nonce }: PanelHtmlOptions): string {
  if (!/^[A-Za-z0-9]{16,}$/.test(nonce)) throw new Error("the panel's nonce must be at least 16 letters and digits");
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // uPlot sets element sizes through the style attribute (CSSOM), which style-src governs only for markup.
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `connect-src ${cspSource}`,
    "worker-src blob:",
  ].join("; ");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${attr(styleUri)}" nonce="${nonce}">
<title>Culture Lab</title>
</head>
<body>
<main id="panel" aria-live="off"><p class="loading">Culture Lab panel loading…</p></main>
<script src="${attr(scriptUri)}" nonce="${nonce}"></script>
</body>
</html>
`;
}

/** A random nonce for panelHtml (Web Crypto: present in browsers and in Node 20+). */
export function newNonce(): string {
  const bytes = new Uint8Array(24);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[b % 62]).join("");
}

function attr(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
