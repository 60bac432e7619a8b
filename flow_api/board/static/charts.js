// SVG charts: line charts with axes, grid, legend and a tooltip that follows the mouse or the arrow keys,
// and horizontal bar lists.

import { formatNumber, h, svg } from "./dom.js";

const WIDTH = 440;
const HEIGHT = 280;
const PAD = { left: 56, right: 24, top: 22, bottom: 44 };

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min, max, count = 5) {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) || raw;
  const ticks = [];
  for (let t = Math.ceil(min / step - 1e-9) * step; t <= max + step * 1e-9; t += step) {
    ticks.push(Number(t.toPrecision(12)));
  }
  return ticks;
}

function extent(values, fallback) {
  const finite = values.filter((v) => Number.isFinite(v));
  if (!finite.length) return fallback;
  let [lo, hi] = [Math.min(...finite), Math.max(...finite)];
  if (lo === hi) [lo, hi] = [lo - (Math.abs(lo) || 1) * 0.1, hi + (Math.abs(hi) || 1) * 0.1];
  return [lo, hi];
}

function scale([d0, d1], [r0, r1]) {
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

function axes(xTicks, yTicks, x, y, xLabel, yLabel) {
  const [left, right, top, bottom] = [PAD.left, WIDTH - PAD.right, PAD.top, HEIGHT - PAD.bottom];
  return svg("g", { class: "axes" },
    yTicks.map((t) => svg("g", {},
      svg("line", { class: "grid", x1: left, x2: right, y1: y(t), y2: y(t) }),
      svg("text", { class: "tick", x: left - 6, y: y(t) + 4, "text-anchor": "end" }, formatNumber(t)))),
    xTicks.map((t) => svg("g", {},
      svg("line", { class: "grid", x1: x(t), x2: x(t), y1: top, y2: bottom }),
      svg("text", { class: "tick", x: x(t), y: bottom + 16, "text-anchor": "middle" }, formatNumber(t)))),
    svg("line", { class: "axis", x1: left, x2: right, y1: bottom, y2: bottom }),
    svg("line", { class: "axis", x1: left, x2: left, y1: top, y2: bottom }),
    svg("text", { class: "axis-label", x: (left + right) / 2, y: HEIGHT - 6, "text-anchor": "middle" }, xLabel || ""),
    svg("text", { class: "axis-label", transform: `translate(14 ${(top + bottom) / 2}) rotate(-90)`,
                  "text-anchor": "middle" }, yLabel || ""));
}

/**
 * A line chart figure.
 * options: {testid, title, note (text or node beside the title), xLabel, yLabel, xDomain, yDomain,
 *           diagonal (draw y = x), valueLabels, integerX (whole-number x ticks only), series: [{name, points: [[x, y]...], pointTestId}],
 *           marks: (x, y) => [svg elements] drawn over the lines}
 */
export function lineChart(options) {
  const series = options.series.filter((s) => s.points.length);
  const all = series.flatMap((s) => s.points);
  const xDomain = options.xDomain || extent(all.map((p) => p[0]), [0, 1]);
  const yDomain = options.yDomain || extent(all.map((p) => p[1]), [0, 1]);
  const xTicks = niceTicks(xDomain[0], xDomain[1], 6).filter((t) => !options.integerX || Number.isInteger(t));
  const yTicks = niceTicks(yDomain[0], yDomain[1], 5);
  const x = scale(xDomain, [PAD.left, WIDTH - PAD.right]);
  const y = scale(yDomain, [HEIGHT - PAD.bottom, PAD.top]);

  const lines = series.map((s, i) => svg("g", { class: `series series-${i}`, "data-series": s.name },
    svg("polyline", { class: "line", points: s.points.map((p) => `${x(p[0])},${y(p[1])}`).join(" ") }),
    s.points.map((p) => svg("circle", { class: "point", cx: x(p[0]), cy: y(p[1]), r: s.points.length > 40 ? 1.6 : 3,
                                        "data-testid": s.pointTestId || null, "data-x": p[0], "data-y": p[1] })),
    options.valueLabels && s.points.length <= 12 ? s.points.map((p) => svg("text", {
      class: "value-label", x: x(p[0]), y: y(p[1]) - 8, "text-anchor": "middle" }, formatNumber(p[1]))) : null));

  const guide = svg("line", { class: "guide", y1: PAD.top, y2: HEIGHT - PAD.bottom, visibility: "hidden" });
  const focusDots = svg("g", { class: "focus-dots" });
  const plot = svg("svg", { class: "chart-svg", viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", tabindex: 0,
                            "aria-label": `${options.title}; use the arrow keys to read the values` },
    axes(xTicks, yTicks, x, y, options.xLabel, options.yLabel),
    options.diagonal ? svg("line", { class: "diagonal", x1: x(xDomain[0]), y1: y(yDomain[0]),
                                     x2: x(xDomain[1]), y2: y(yDomain[1]) }) : null,
    lines, options.marks ? options.marks(x, y) : null, guide, focusDots);
  const tooltip = h("div", { class: "tooltip", role: "status", hidden: true });
  const legend = series.length > 1 ? h("ul", { class: "chart-legend" },
    series.map((s, i) => h("li", {}, h("span", { class: `swatch-line series-${i}`, "aria-hidden": "true" }), s.name))) : null;

  // the tooltip shows every series' point nearest to one x, chosen by the mouse or the arrow keys
  const xs = [...new Set(all.map((p) => p[0]))].sort((a, b) => a - b);
  let current = -1;
  const show = (index) => {
    if (!xs.length) return;
    current = Math.max(0, Math.min(xs.length - 1, index));
    const at = xs[current];
    guide.setAttribute("x1", x(at));
    guide.setAttribute("x2", x(at));
    guide.setAttribute("visibility", "visible");
    const rows = [];
    focusDots.replaceChildren();
    series.forEach((s, i) => {
      const nearest = s.points.reduce((best, p) => (Math.abs(p[0] - at) < Math.abs(best[0] - at) ? p : best));
      focusDots.append(svg("circle", { class: `focus-dot series-${i}`, cx: x(nearest[0]), cy: y(nearest[1]), r: 5 }));
      rows.push(h("div", {}, series.length > 1 ? `${s.name}: ` : "", `${options.xLabel || "x"} ${formatNumber(nearest[0])}, `,
                  `${options.yLabel || "y"} ${formatNumber(nearest[1])}`));
    });
    tooltip.replaceChildren(...rows);
    tooltip.hidden = false;
    const left = (x(at) / WIDTH) * 100;
    tooltip.style.left = `${Math.min(left, 62)}%`;
  };
  const hide = () => {
    guide.setAttribute("visibility", "hidden");
    focusDots.replaceChildren();
    tooltip.hidden = true;
  };
  plot.addEventListener("mousemove", (event) => {
    const box = plot.getBoundingClientRect();
    const value = xDomain[0] + (((event.clientX - box.left) / box.width) * WIDTH - PAD.left) /
      (WIDTH - PAD.left - PAD.right) * (xDomain[1] - xDomain[0]);
    let index = 0;
    xs.forEach((v, i) => { if (Math.abs(v - value) < Math.abs(xs[index] - value)) index = i; });
    show(index);
  });
  plot.addEventListener("mouseleave", hide);
  plot.addEventListener("blur", hide);
  plot.addEventListener("keydown", (event) => {
    const step = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 }[event.key];
    if (step === undefined) return;
    event.preventDefault();
    show(current < 0 ? 0 : current + step);
  });

  return h("figure", { class: "chart", "data-testid": options.testid || null },
    h("figcaption", {}, h("span", { class: "chart-title" }, options.title), options.note || null),
    h("div", { class: "chart-body" }, plot, tooltip), legend);
}

/**
 * Horizontal bars, one row per item: label, bar, value. Negative values grow left of a centre line when
 * any value is negative. items: [{label, value, note}]
 */
export function barList(items, options) {
  const maxAbs = Math.max(1e-12, ...items.map((item) => Math.abs(item.value)));
  const diverging = items.some((item) => item.value < 0);
  return h("table", { class: `barlist${diverging ? " diverging" : ""}`, "data-testid": options.testid || null },
    h("caption", {}, options.title),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, options.labelName || "feature"),
                     h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "bar")),
                     h("th", { scope: "col", class: "num" }, options.valueName || "value"))),
    h("tbody", {}, items.map((item) => {
      const share = (Math.abs(item.value) / maxAbs) * (diverging ? 50 : 100);
      const start = diverging ? (item.value < 0 ? 50 - share : 50) : 0;
      return h("tr", { "data-feature": item.label, "data-value": item.value },
        h("th", { scope: "row", class: "mono" }, item.label, item.note ? h("span", { class: "tag" }, item.note) : null),
        h("td", { class: "bar-cell" }, h("div", { class: "bar-track" },
          h("div", { class: `bar ${item.value < 0 ? "negative" : "positive"}`, style: `left:${start}%;width:${share}%` }))),
        h("td", { class: "num mono" }, formatNumber(item.value)));
    })));
}
