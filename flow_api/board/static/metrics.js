// A component's metrics as views: loss curves, Evaluation's curves grouped per evaluated model (ROC with
// AUC, KS, lift, gain, precision-recall, accuracy, a confusion matrix at a chosen threshold), summaries.

import { barList, lineChart } from "./charts.js";
import { formatNumber, h, svg, table } from "./dom.js";

const UNIT = [0, 1];

/** FATE's metric type without its evaluation suffixes: ROC_EVALUATION -> ROC, EVALUATION_SUMMARY -> SUMMARY. */
export function kindOf(metric) {
  const type = String(metric.type || (metric.meta && metric.meta.metric_type) || "").toUpperCase();
  if (!type && /(^|[_/])loss$/i.test(metric.name)) return "LOSS"; // a running component's loss, before its meta
  if (type.includes("SUMMARY")) return "SUMMARY";
  return type.replace(/_EVALUATION$/, "").replace(/_(BINARY|MULTI)$/, "");
}

const curveOf = (metric) => {
  const meta = metric.meta || {};
  return String(meta.pair_type || (kindOf(metric) === "SUMMARY" ? meta.name || metric.name : meta.curve_name) || metric.name);
};

const numericPairs = (data) => Array.isArray(data) && data.length > 0 &&
  data.every((p) => Array.isArray(p) && p.length >= 2 && Number.isFinite(Number(p[0])) && Number.isFinite(Number(p[1])));

const points = (metric) => (metric.data || []).map((p) => [Number(p[0]), Number(p[1])]);

function trapezoidArea(curve) {
  const sorted = [...curve].sort((a, b) => a[0] - b[0]);
  return sorted.slice(1).reduce((area, p, i) => area + (p[0] - sorted[i][0]) * (p[1] + sorted[i][1]) / 2, 0);
}

function lossChart(metric) {
  const meta = metric.meta || {};
  return lineChart({ testid: "loss-chart", title: `${metric.namespace} / ${metric.name}`, valueLabels: true, integerX: true,
                     xLabel: meta.unit_name || "iters", yLabel: "loss",
                     series: [{ name: metric.name, points: points(metric), pointTestId: "loss-point" }] });
}

function summaryTable(metric) {
  const rows = (metric.data || []).map((p) => [p[0], p[1]]);
  return h("div", { class: "summary" },
    table(["metric", "value"], rows, { class: "data compact", "data-testid": "summary-table", "data-curve": curveOf(metric) }));
}

function rocChart(metric, summary) {
  const curve = points(metric);
  const auc = summary.auc ?? trapezoidArea(curve);
  const note = h("span", { class: "chart-note", "data-testid": "roc-auc", "data-value": auc }, `AUC ${formatNumber(auc)}`);
  return lineChart({ testid: "roc-chart", title: `ROC \u00b7 ${curveOf(metric)}`, note, xLabel: "false positive rate",
                     yLabel: "true positive rate", xDomain: UNIT, yDomain: UNIT, diagonal: true,
                     series: [{ name: "ROC", points: curve }] });
}

function ksChart(tprMetric, fprMetric, summary) {
  const tpr = points(tprMetric);
  const fpr = fprMetric ? points(fprMetric) : [];
  let best = null;
  tpr.forEach((p, i) => {
    if (fpr[i] && (!best || p[1] - fpr[i][1] > best.gap)) best = { x: p[0], top: p[1], bottom: fpr[i][1], gap: p[1] - fpr[i][1] };
  });
  const ks = summary.ks ?? (best ? best.gap : null);
  const note = ks === null ? null : h("span", { class: "chart-note", "data-testid": "ks-value", "data-value": ks }, `KS ${formatNumber(ks)}`);
  const marks = best ? (x, y) => [svg("line", { class: "ks-mark", x1: x(best.x), x2: x(best.x), y1: y(best.top), y2: y(best.bottom) })] : null;
  return lineChart({ testid: "ks-chart", title: `KS \u00b7 ${curveOf(tprMetric)}`, note, xLabel: "share of rows",
                     yLabel: "rate", xDomain: UNIT, yDomain: UNIT, marks,
                     series: [{ name: "true positive rate", points: tpr }, { name: "false positive rate", points: fpr }] });
}

function prChart(precision, recall) {
  const pairs = points(precision).map((p, i) => [points(recall)[i]?.[1], p[1]]).filter((p) => Number.isFinite(p[0]));
  return lineChart({ testid: "pr-chart", title: `Precision-recall \u00b7 ${curveOf(precision)}`, xLabel: "recall",
                     yLabel: "precision", xDomain: UNIT, yDomain: UNIT, series: [{ name: "precision", points: pairs }] });
}

/** The value a curve has at a threshold (thresholds[i] belongs to data[i]), or undefined. */
function atThreshold(metric, threshold) {
  if (!metric) return undefined;
  const thresholds = (metric.meta && metric.meta.thresholds) || [];
  const i = thresholds.findIndex((t) => Math.abs(t - threshold) < 1e-9);
  return i >= 0 && metric.data[i] ? Number(metric.data[i][1]) : undefined;
}

/** The normalised confusion matrix (share of each actual class) at a threshold picked with a slider. */
function confusionMatrix(curves) {
  const { ks_tpr: tprMetric, ks_fpr: fprMetric } = curves;
  const thresholds = [...((tprMetric.meta && tprMetric.meta.thresholds) || [])].sort((a, b) => a - b);
  if (!thresholds.length || !fprMetric) return null;
  const start = thresholds.reduce((best, t, i) => (Math.abs(t - 0.5) < Math.abs(thresholds[best] - 0.5) ? i : best), 0);
  const slider = h("input", { type: "range", id: "threshold-slider", "data-testid": "threshold-slider", min: 0,
                              max: thresholds.length - 1, step: 1, value: start, "aria-label": "classification threshold" });
  const label = h("output", { for: "threshold-slider", class: "mono" });
  const body = h("div", { class: "matrix-body" });
  const percent = (v) => (v === undefined ? "\u2014" : `${(v * 100).toFixed(1)}%`);
  const draw = () => {
    const threshold = thresholds[Number(slider.value)];
    const tpr = atThreshold(tprMetric, threshold);
    const fpr = atThreshold(fprMetric, threshold);
    label.textContent = formatNumber(threshold);
    slider.setAttribute("aria-valuetext", `threshold ${formatNumber(threshold)}`);
    const cell = (value, kind) => h("td", { class: `cell ${kind}`, "data-cell": kind,
                                            style: `--share:${value ?? 0}` }, percent(value));
    const extra = [["precision", atThreshold(curves.precision, threshold)],
                   ["recall", atThreshold(curves.recall, threshold)],
                   ["accuracy", atThreshold(curves.accuracy, threshold)]].filter(([, v]) => v !== undefined);
    body.replaceChildren(
      h("table", { class: "matrix", "data-threshold": threshold },
        h("thead", {}, h("tr", {}, h("td", {}), h("th", { scope: "col" }, "predicted 1"), h("th", { scope: "col" }, "predicted 0"))),
        h("tbody", {},
          h("tr", {}, h("th", { scope: "row" }, "actual 1"), cell(tpr, "tp"), cell(tpr === undefined ? undefined : 1 - tpr, "fn")),
          h("tr", {}, h("th", { scope: "row" }, "actual 0"), cell(fpr, "fp"), cell(fpr === undefined ? undefined : 1 - fpr, "tn")))),
      h("dl", { class: "matrix-stats" }, extra.map(([name, value]) => [h("dt", {}, name), h("dd", { class: "mono" }, formatNumber(value))])));
  };
  slider.addEventListener("input", draw);
  draw();
  return h("figure", { class: "chart matrix-figure", "data-testid": "confusion-matrix" },
    h("figcaption", {}, h("span", { class: "chart-title" }, `Confusion matrix \u00b7 ${curveOf(tprMetric)}`)),
    h("p", { class: "hint" }, "Share of each actual class predicted 1 (score above the threshold) or 0."),
    h("div", { class: "threshold" }, h("label", { for: "threshold-slider" }, "threshold"), slider, label),
    body);
}

/** One evaluated model's views: its summary, then each curve it has. */
function evaluationGroup(title, group) {
  const byKind = {};
  for (const metric of group) {
    const kind = kindOf(metric);
    if (kind === "KS") byKind[/fpr$/i.test(metric.name) ? "ks_fpr" : "ks_tpr"] = metric;
    else byKind[kind.toLowerCase()] = metric;
  }
  const summary = Object.fromEntries(((byKind.summary && byKind.summary.data) || []).map((p) => [String(p[0]).toLowerCase(), Number(p[1])]));
  const views = [];
  if (byKind.roc) views.push(rocChart(byKind.roc, summary));
  if (byKind.ks_tpr) views.push(ksChart(byKind.ks_tpr, byKind.ks_fpr, summary));
  if (byKind.lift) views.push(lineChart({ testid: "lift-chart", title: `Lift \u00b7 ${curveOf(byKind.lift)}`, xLabel: "share of rows",
                                          yLabel: "lift", xDomain: UNIT, series: [{ name: "lift", points: points(byKind.lift) }] }));
  if (byKind.gain) views.push(lineChart({ testid: "gain-chart", title: `Gain \u00b7 ${curveOf(byKind.gain)}`, xLabel: "share of rows",
                                          yLabel: "gain", xDomain: UNIT, yDomain: UNIT, diagonal: true,
                                          series: [{ name: "gain", points: points(byKind.gain) }] }));
  if (byKind.precision && byKind.recall) views.push(prChart(byKind.precision, byKind.recall));
  if (byKind.accuracy) views.push(lineChart({ testid: "accuracy-chart", title: `Accuracy \u00b7 ${curveOf(byKind.accuracy)}`,
                                              xLabel: "share of rows", yLabel: "accuracy", xDomain: UNIT,
                                              series: [{ name: "accuracy", points: points(byKind.accuracy) }] }));
  if (byKind.ks_tpr) views.push(confusionMatrix(byKind));
  return h("section", { class: "metric-group", "data-curve": title },
    h("h3", {}, title), byKind.summary ? summaryTable(byKind.summary) : null,
    h("div", { class: "chart-grid" }, views.filter(Boolean)));
}

function otherMetric(metric) {
  if (numericPairs(metric.data)) {
    return lineChart({ testid: "metric-chart", title: `${metric.namespace} / ${metric.name}`,
                       xLabel: (metric.meta && metric.meta.unit_name) || "x", yLabel: metric.name,
                       series: [{ name: metric.name, points: points(metric) }] });
  }
  const rows = (metric.data || []).map((p) => (Array.isArray(p) ? p : [p]));
  if (rows.length && rows.every((p) => p.length === 2 && Number.isFinite(Number(p[1])))) {
    return barList(rows.map((p) => ({ label: String(p[0]), value: Number(p[1]) })),
                   { title: `${metric.namespace} / ${metric.name}`, labelName: "name" });
  }
  return h("figure", { class: "chart" }, h("figcaption", {}, `${metric.namespace} / ${metric.name}`),
           table(["value"], rows.map((p) => [p.join(", ")]), { class: "data compact" }));
}

const EVALUATION_KINDS = new Set(["SUMMARY", "ROC", "KS", "LIFT", "GAIN", "PRECISION", "RECALL", "ACCURACY"]);

/** The views of a component's metrics, in a stable order: loss curves, evaluations, the rest. */
export function metricViews(metrics) {
  const losses = metrics.filter((metric) => kindOf(metric) === "LOSS");
  const groups = new Map();
  const others = [];
  for (const metric of metrics) {
    const kind = kindOf(metric);
    if (kind === "LOSS") continue;
    if (EVALUATION_KINDS.has(kind)) {
      const key = `${curveOf(metric)} \u00b7 ${metric.namespace}`;
      (groups.get(key) || groups.set(key, []).get(key)).push(metric);
    } else {
      others.push(metric);
    }
  }
  return [
    losses.length ? h("div", { class: "chart-grid" }, losses.map(lossChart)) : null,
    [...groups.entries()].map(([title, group]) => evaluationGroup(title, group)),
    others.length ? h("div", { class: "chart-grid" }, others.map(otherMetric)) : null,
  ].flat().filter(Boolean);
}
