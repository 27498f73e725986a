// A dependency-free SVG line chart, so the HTML report stays one self-contained file that opens offline.
import { escapeHtml } from "./escapeHtml";

export interface Series {
  label: string;
  points: Array<{ x: number; y: number }>;
}

const palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf"];

export function svgLineChart(title: string, series: Series[], size = { width: 520, height: 220 }): string {
  const pad = { left: 48, right: 12, top: 28, bottom: 28 };
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y));
  if (all.length === 0) return `<figure><figcaption>${escapeHtml(title)}</figcaption><p class="empty">No data yet.</p></figure>`;
  const [xMin, xMax] = extent(all.map((p) => p.x));
  // The y axis always includes zero, so a small change never looks like a cliff; a flat series gets a unit range.
  const [yMin, yTop] = extent([0, ...all.map((p) => p.y)]);
  const yMax = yTop === yMin ? yMin + 1 : yTop;
  const sx = (x: number) => pad.left + ((x - xMin) / (xMax - xMin || 1)) * (size.width - pad.left - pad.right);
  const sy = (y: number) => size.height - pad.bottom - ((y - yMin) / (yMax - yMin)) * (size.height - pad.top - pad.bottom);
  const lines = series.map((s, i) => {
    const colour = palette[i % palette.length];
    const pts = s.points.filter((p) => Number.isFinite(p.y));
    const path = pts.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(" ");
    const dots = pts.map((p) => `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="2.5" fill="${colour}"><title>${escapeHtml(`${s.label}: ${p.y}`)}</title></circle>`).join("");
    return `<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${path}"/>${dots}`;
  });
  const legend = series
    .map((s, i) => `<tspan fill="${palette[i % palette.length]}" dx="${i === 0 ? 0 : 12}">■ ${escapeHtml(s.label)}</tspan>`)
    .join("");
  return [
    `<figure><svg viewBox="0 0 ${size.width} ${size.height}" role="img" aria-label="${escapeHtml(title)}">`,
    `<text x="${pad.left}" y="16" class="legend">${legend}</text>`,
    `<line x1="${pad.left}" y1="${size.height - pad.bottom}" x2="${size.width - pad.right}" y2="${size.height - pad.bottom}" class="axis"/>`,
    `<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${size.height - pad.bottom}" class="axis"/>`,
    `<text x="${pad.left - 4}" y="${pad.top + 4}" text-anchor="end" class="tick">${formatTick(yMax)}</text>`,
    `<text x="${pad.left - 4}" y="${size.height - pad.bottom}" text-anchor="end" class="tick">${formatTick(yMin)}</text>`,
    `<text x="${pad.left}" y="${size.height - 8}" class="tick">gen ${xMin}</text>`,
    `<text x="${size.width - pad.right}" y="${size.height - 8}" text-anchor="end" class="tick">gen ${xMax}</text>`,
    ...lines,
    `</svg><figcaption>${escapeHtml(title)}</figcaption></figure>`,
  ].join("");
}

function extent(values: number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)];
}

function formatTick(v: number): string {
  return Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : String(Math.round(v * 1000) / 1000);
}
