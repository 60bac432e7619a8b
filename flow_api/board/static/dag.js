// The job's DAG as SVG: layered layout (rank = longest path from a source, order within ranks by barycentre
// sweeps over dummy nodes to reduce crossings), components coloured by state, running ones outlined.

import { h, onActivate, statusName, svg } from "./dom.js";

const NODE_W = 228;
const NODE_H = 52;
const DUMMY_W = 16;
const GAP_X = 36;
const GAP_Y = 40;
const MARGIN = 16;
const MODEL_OFFSET = 18;
const SWEEPS = 6;

/** Each component's rank: the length of the longest path to it from a component without inputs. */
function ranks(names, edges) {
  const incoming = new Map(names.map((name) => [name, []]));
  edges.forEach((edge) => incoming.get(edge.to).push(edge.from));
  const rank = new Map();
  const visiting = new Set();
  const rankOf = (name) => {
    if (rank.has(name)) return rank.get(name);
    if (visiting.has(name)) return 0; // a cycle cannot be run; draw it rather than fail
    visiting.add(name);
    const value = incoming.get(name).reduce((best, from) => Math.max(best, rankOf(from) + 1), 0);
    visiting.delete(name);
    rank.set(name, value);
    return value;
  };
  names.forEach(rankOf);
  return rank;
}

/** Layers of node ids (components and the dummies of long edges) and each edge's chain of node ids. */
function layers(names, edges, rank) {
  const layerCount = Math.max(0, ...rank.values()) + 1;
  const layerOf = Array.from({ length: layerCount }, () => []);
  names.forEach((name) => layerOf[rank.get(name)].push(name));
  const chains = edges.map((edge, index) => {
    const chain = [edge.from];
    for (let r = rank.get(edge.from) + 1; r < rank.get(edge.to); r++) {
      const dummy = `\u0000${index}:${r}`;
      layerOf[r].push(dummy);
      chain.push(dummy);
    }
    chain.push(edge.to);
    return chain;
  });
  return { layerOf, chains };
}

/** Reorders each layer by the mean position of its neighbours in the layer above, then below, several times. */
function reduceCrossings(layerOf, chains) {
  const up = new Map();
  const down = new Map();
  const link = (map, a, b) => (map.get(a) || map.set(a, []).get(a)).push(b);
  chains.forEach((chain) => chain.slice(1).forEach((id, i) => {
    link(up, id, chain[i]);
    link(down, chain[i], id);
  }));
  const position = new Map();
  const place = (layer) => layer.forEach((id, i) => position.set(id, i));
  layerOf.forEach(place);
  const sweep = (layer, neighbours) => {
    const centre = (id) => {
      const around = neighbours.get(id) || [];
      return around.length ? around.reduce((sum, n) => sum + position.get(n), 0) / around.length : position.get(id);
    };
    const keyed = layer.map((id) => [centre(id), position.get(id), id]);
    keyed.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    layer.splice(0, layer.length, ...keyed.map((entry) => entry[2]));
    place(layer);
  };
  for (let pass = 0; pass < SWEEPS; pass++) {
    if (pass % 2 === 0) layerOf.slice(1).forEach((layer) => sweep(layer, up));
    else layerOf.slice(0, -1).reverse().forEach((layer) => sweep(layer, down));
  }
}

/** Positions (top-left x, y and width) of every node id, each layer centred, and the drawing's size. */
function coordinates(layerOf) {
  const widthOf = (id) => (id.startsWith("\u0000") ? DUMMY_W : NODE_W);
  const layerWidth = (layer) => layer.reduce((sum, id) => sum + widthOf(id), 0) + GAP_X * Math.max(0, layer.length - 1);
  const width = Math.max(NODE_W, ...layerOf.map(layerWidth)) + 2 * MARGIN;
  const box = new Map();
  layerOf.forEach((layer, r) => {
    let x = (width - layerWidth(layer)) / 2;
    layer.forEach((id) => {
      box.set(id, { x, y: MARGIN + r * (NODE_H + GAP_Y), w: widthOf(id) });
      x += widthOf(id) + GAP_X;
    });
  });
  return { box, width, height: 2 * MARGIN + layerOf.length * NODE_H + Math.max(0, layerOf.length - 1) * GAP_Y };
}

/** A smooth path through points, leaving and entering each one vertically. */
function smoothPath(points) {
  let d = `M${points[0][0]},${points[0][1]}`;
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1];
    const [x1, y1] = points[i];
    const bend = (y1 - y0) / 2;
    d += ` C${x0},${y0 + bend} ${x1},${y1 - bend} ${x1},${y1}`;
  }
  return d;
}

function edgePoints(chain, kind, box) {
  const offset = kind === "model" ? MODEL_OFFSET : 0;
  return chain.map((id, i) => {
    const b = box.get(id);
    const cx = b.x + b.w / 2 + (b.w === NODE_W ? offset : 0);
    if (i === 0) return [cx, b.y + NODE_H];
    if (i === chain.length - 1) return [cx, b.y];
    return [cx, b.y + NODE_H / 2];
  });
}

function fitted(text, limit) {
  return text.length > limit ? `${text.slice(0, limit - 1)}\u2026` : text;
}

const stateOf = (component) => component.status || "none";

function describe(component) {
  return `${component.name} (${component.module}): ${statusName(component.status)}`;
}

function componentNode(component, b, onOpen) {
  const statusText = svg("tspan", { class: "dag-status" }, statusName(component.status));
  const progress = svg("rect", { class: "dag-progress", x: b.x + 1, y: b.y + NODE_H - 5, height: 4,
                                 width: ((NODE_W - 2) * (component.progress || 0)) / 100 });
  const node = svg("g", { class: `dag-node status-${stateOf(component)}`, "data-component": component.name,
                          "data-status": stateOf(component), "data-progress": component.progress || 0, role: "button",
                          tabindex: 0, "aria-label": describe(component) },
    svg("title", {}, describe(component)),
    svg("rect", { class: "dag-halo", x: b.x - 4, y: b.y - 4, width: NODE_W + 8, height: NODE_H + 8, rx: 10 }),
    svg("rect", { class: "dag-box", x: b.x, y: b.y, width: NODE_W, height: NODE_H, rx: 7 }),
    progress,
    svg("text", { class: "dag-name", x: b.x + 12, y: b.y + 21 }, fitted(component.name, 27)),
    svg("text", { class: "dag-module", x: b.x + 12, y: b.y + 39 }, fitted(component.module, 20)),
    svg("text", { class: "dag-module", x: b.x + NODE_W - 10, y: b.y + 39, "text-anchor": "end" }, statusText));
  onActivate(node, () => onOpen(component.name));
  return node;
}

/**
 * The DAG's SVG for {components, edges}; onOpen(name) when a component is activated.
 * Returns {element, update(components), select(name)}.
 */
export function renderDag(dag, onOpen) {
  const names = dag.components.map((component) => component.name);
  const known = new Set(names);
  const edges = (dag.edges || []).filter((edge) => known.has(edge.from) && known.has(edge.to) && edge.from !== edge.to);
  const rank = ranks(names, edges);
  const { layerOf, chains } = layers(names, edges, rank);
  reduceCrossings(layerOf, chains);
  const { box, width, height } = coordinates(layerOf);
  const byName = new Map(dag.components.map((component) => [component.name, component]));

  const edgeLayer = svg("g", { class: "dag-edges" },
    chains.map((chain, i) => svg("path", { class: `dag-edge edge-${edges[i].kind}`, "data-from": edges[i].from,
                                           "data-to": edges[i].to, "marker-end": `url(#arrow-${edges[i].kind})`,
                                           d: smoothPath(edgePoints(chain, edges[i].kind, box)) })));
  const nodes = layerOf.flat().filter((id) => known.has(id)).map((name) => componentNode(byName.get(name), box.get(name), onOpen));
  const marker = (kind) => svg("marker", { id: `arrow-${kind}`, viewBox: "0 0 10 10", refX: 9, refY: 5,
                                           markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
    svg("path", { d: "M0,0 L10,5 L0,10 z", class: `arrow-${kind}` }));
  const element = svg("svg", { id: "dag", "data-testid": "dag", class: "dag", viewBox: `0 0 ${width} ${height}`,
                               width, height, role: "group", "aria-label": "components of the job" },
    svg("defs", {}, marker("data"), marker("model")), edgeLayer, svg("g", { class: "dag-nodes" }, nodes));

  return {
    element,
    update(components) {
      for (const component of components) {
        const node = element.querySelector(`g[data-component="${CSS.escape(component.name)}"]`);
        const progress = String(component.progress || 0);
        if (!node || (node.dataset.status === stateOf(component) && node.dataset.progress === progress)) continue;
        node.dataset.status = stateOf(component);
        node.dataset.progress = progress;
        node.setAttribute("class", `dag-node status-${stateOf(component)}${node.classList.contains("selected") ? " selected" : ""}`);
        node.setAttribute("aria-label", describe(component));
        node.querySelector("title").textContent = describe(component);
        node.querySelector(".dag-status").textContent = statusName(component.status);
        node.querySelector(".dag-progress").setAttribute("width", String(((NODE_W - 2) * (component.progress || 0)) / 100));
      }
    },
    select(name) {
      element.querySelectorAll("g.dag-node").forEach((node) => {
        node.classList.toggle("selected", node.dataset.component === name);
        node.setAttribute("aria-pressed", node.dataset.component === name ? "true" : "false");
      });
    },
  };
}

/** A legend of the states' colours. */
export function dagLegend() {
  return h("ul", { class: "legend", "aria-label": "component states" },
    ["waiting", "running", "success", "failed", "canceled", "none"].map((status) =>
      h("li", {}, h("span", { class: `swatch status-${status}`, "aria-hidden": "true" }), statusName(status === "none" ? null : status))),
    h("li", {}, h("span", { class: "swatch-line edge-data", "aria-hidden": "true" }), "data"),
    h("li", {}, h("span", { class: "swatch-line edge-model", "aria-hidden": "true" }), "model"));
}
