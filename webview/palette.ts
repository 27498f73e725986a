// Colours come from the editor's theme (--vscode-* variables, so light, dark and high-contrast all work), read when
// drawing canvases and SVG; the fallbacks are for a page shown outside VS Code.

const SERIES_VARS: [string, string][] = [
  ["--vscode-charts-blue", "#3794ff"],
  ["--vscode-charts-orange", "#d18616"],
  ["--vscode-charts-green", "#89d185"],
  ["--vscode-charts-purple", "#b180d7"],
  ["--vscode-charts-red", "#f14c4c"],
  ["--vscode-charts-yellow", "#cca700"],
];

export interface Palette {
  series: string[];
  foreground: string;
  lines: string;
  background: string;
}

export function readPalette(): Palette {
  const style = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    series: SERIES_VARS.map(([name, fallback]) => v(name, fallback)),
    foreground: v("--vscode-charts-foreground", v("--vscode-foreground", "#616161")),
    lines: v("--vscode-charts-lines", "rgba(128,128,128,0.35)"),
    background: v("--vscode-editor-background", "#ffffff"),
  };
}

/** The same author always gets the same colour. */
export function colourFor(key: string, palette: Palette): string {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
  return palette.series[h % palette.series.length]!;
}

/** A colour with alpha, for bands; works for #rgb/#rrggbb, else falls back to the colour itself. */
export function translucent(colour: string, alpha: number): string {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(colour);
  if (!m) return colour;
  const hex = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join("") : m[1]!;
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgba(${r},${g},${b},${alpha})`;
}
