// Small DOM helpers shared by the board's modules: element builders and value formatting.

const SVG_NS = "http://www.w3.org/2000/svg";

function fill(element, attributes, children) {
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "text") {
      element.textContent = String(value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** An HTML element: h("a", {href: "/x", class: "link"}, "text", child). */
export function h(tag, attributes, ...children) {
  return fill(document.createElement(tag), attributes, children);
}

/** An SVG element, as h() builds HTML ones. */
export function svg(tag, attributes, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attributes, children);
}

export const STATUSES = ["waiting", "running", "success", "failed", "canceled", "timeout"];

/** A status as shown: the node's word, or "no task" where this party has none (null). */
export function statusName(status) {
  return status || "no task";
}

export function statusBadge(status) {
  const name = statusName(status);
  return h("span", { class: `badge status-${status || "none"}`, "data-status": status || "none" }, name);
}

export function progressBar(percent, label) {
  const value = Math.max(0, Math.min(100, Number(percent) || 0));
  return h("div", { class: "progress", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100,
                    "aria-valuenow": value, "aria-label": label || "progress" },
    h("div", { class: "progress-fill", style: `width:${value}%` }),
    h("span", { class: "progress-text" }, `${value}%`));
}

const pad = (n) => String(n).padStart(2, "0");

/** Epoch milliseconds as local "YYYY-MM-DD HH:MM:SS", or an em dash when not yet. */
export function formatTime(ms) {
  if (ms === null || ms === undefined) return "\u2014";
  const t = new Date(ms);
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ` +
         `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`;
}

/** Milliseconds as "850 ms", "7.6 s", "3m 05s" or "2h 03m 05s". */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return "\u2014";
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1000);
  const h_ = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
  return h_ ? `${h_}h ${pad(m)}m ${pad(s)}s` : `${m}m ${pad(s)}s`;
}

/** How long something has run: its elapsed time once ended, else the time since its start. */
export function runningTime(item, now) {
  if (item.start_time === null || item.start_time === undefined) return null;
  if (item.end_time) return item.elapsed ?? item.end_time - item.start_time;
  return now - item.start_time;
}

/** A number for display: integers as they are, others to 6 significant digits. */
export function formatNumber(value) {
  if (typeof value !== "number") return String(value);
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

export function prettyJson(value) {
  return JSON.stringify(value, null, 2);
}

/** A cell's text: objects as compact JSON, the rest exactly as the node gave them. */
export function cellText(value) {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

export function table(header, rows, attributes) {
  return h("table", attributes || {},
    h("thead", {}, h("tr", {}, header.map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, rows.map((row) => h("tr", {}, row.map((cell) => h("td", {}, cell instanceof Node ? cell : cellText(cell)))))));
}

/** Activates on click and on Enter/Space, for elements that are not buttons. */
export function onActivate(element, handler) {
  element.addEventListener("click", handler);
  element.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      handler(event);
    }
  });
}
