// Building DOM without HTML strings: text goes in as text nodes, attributes through setAttribute, and event-handler
// attributes are refused. Agent-written text never reaches innerHTML anywhere in the panel.

type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | undefined>;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

function setAttrs(node: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (/^on/i.test(name) || name === "style") throw new Error(`refusing attribute '${name}': handlers and inline styles are not allowed`);
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
}

function append(node: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

/** Replace a container's children. */
export function replace(container: Element, ...children: Child[]): void {
  container.replaceChildren();
  append(container, children);
}

/** Sets a node's text only when it changes: an unchanged line is not laid out and painted again on every update. */
export function setText(node: Element, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}
