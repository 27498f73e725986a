// The lineage graph's layout: dagre places the nodes of a DAG in ranks (cited above citing) and routes the edges.
// Plain data in and out, no DOM, so it runs in a Web Worker (lineageLayoutScript.ts) and, when no worker can start,
// on the page itself — the same function either way, so both draw the same picture.
import dagre from "@dagrejs/dagre";

export interface LayoutRequest {
  /** Newest last; the order dagre receives them in decides ties, so both paths must keep it. */
  nodes: { id: string; radius: number }[];
  edges: [string, string][];
}

export interface LayoutResult {
  width: number;
  height: number;
  /** Centre of each node, by id. */
  at: Record<string, { x: number; y: number }>;
  /** Every edge as one SVG path ("M x,y L x,y …" per edge): one element to style and lay out. */
  edgePath: string;
}

export function layOut({ nodes, edges }: LayoutRequest): LayoutResult {
  const g = new dagre.graphlib.Graph();
  // longest-path ranking: several times faster than the default network simplex, and ranks still follow citations.
  g.setGraph({ rankdir: "TB", nodesep: 14, ranksep: 36, marginx: 12, marginy: 12, ranker: "longest-path" });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: 2 * n.radius, height: 2 * n.radius });
  for (const [from, to] of edges) g.setEdge(from, to);
  dagre.layout(g);
  const graph = g.graph();
  const at: LayoutResult["at"] = {};
  for (const n of nodes) {
    const p = g.node(n.id);
    at[n.id] = { x: p.x, y: p.y };
  }
  const edgePath = edges
    .map(([from, to]) => (g.edge(from, to)?.points ?? []).map((p: { x: number; y: number }, i: number) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(""))
    .join("");
  return { width: Math.max(100, graph.width ?? 100), height: Math.max(60, graph.height ?? 60), at, edgePath };
}
