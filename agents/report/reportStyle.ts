// The look every HTML report shares (a run's, an experiment's): inline, so each stays one file that opens offline.
export const REPORT_CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222;background:#fff}
h1{font-size:1.4rem}.caveat{background:#fff4ce;border-left:4px solid #c90;padding:.5rem .8rem}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:1rem}
figure{margin:0}figcaption{font-size:.9rem;color:#555}svg{width:100%;height:auto;background:#fafafa}
.axis{stroke:#888}.tick,.legend{font-size:10px;fill:#555}table{border-collapse:collapse;font-size:.85rem}
.table{overflow-x:auto}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:right}th{background:#f3f3f3}.empty{color:#888}
td.text{text-align:left;white-space:pre-wrap;max-width:40rem;font-family:ui-monospace,monospace;font-size:.8rem}
.sample{border:1px solid #ddd;padding:.4rem .7rem;margin:.4rem 0}.sample pre{white-space:pre-wrap;margin:.3rem 0 0;font-size:.8rem}
.meta{color:#555;font-size:.85rem}
`;
