// A component's model as views: LR weights by feature, binning IV by feature, the selection's result; every
// model also as its JSON.

import { barList } from "./charts.js";
import { formatNumber, h, prettyJson } from "./dom.js";

/** The model's Param message, whether the reply nests it under data/param or gives it as it is. */
function paramOf(model) {
  return model.data || model.param || model.Param || model;
}

function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.filter(([, value]) => value !== undefined && value !== null)
    .map(([name, value]) => [h("dt", {}, name), h("dd", { class: "mono" }, typeof value === "number" ? formatNumber(value) : String(value))]));
}

function lrViews(param) {
  const weights = Object.entries(param.weight || {}).map(([label, value]) => ({ label, value: Number(value) }))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
  return [
    facts([["intercept", param.intercept], ["iterations", param.iters], ["converged", param.isConverged]]),
    weights.length ? barList(weights, { testid: "model-weights", title: "Weights by feature (largest first)", valueName: "weight" }) : null,
  ];
}

function binningViews(param) {
  const parties = [["guest", param.binningResult], ...(param.hostResults || []).map((r, i) => [`host ${r.partyId || i}`, r])];
  return parties.filter(([, result]) => result && result.binningResult).map(([party, result]) => {
    const items = Object.entries(result.binningResult).map(([label, feature]) => ({ label, value: Number(feature.iv) || 0 }))
      .sort((a, b) => b.value - a.value);
    return barList(items, { testid: "model-iv", title: `Information value by feature \u00b7 ${party}`, valueName: "IV" });
  });
}

function selectionViews(param) {
  const left = (param.finalLeftCols && param.finalLeftCols.leftCols) || {};
  const names = (param.finalLeftCols && param.finalLeftCols.originalCols) || Object.keys(left);
  const kept = names.filter((name) => left[name]);
  const filters = (param.results || []).map((r) => r.filterName).filter(Boolean);
  return [
    facts([["kept", `${kept.length} of ${names.length} features`], ["filters", filters.join(", ") || "\u2014"]]),
    h("ul", { class: "selection", "data-testid": "model-selection" }, names.map((name) =>
      h("li", { class: left[name] ? "kept" : "dropped", "data-feature": name, "data-kept": left[name] ? "true" : "false" },
        h("span", { class: "mono" }, name), h("span", { class: "tag" }, left[name] ? "kept" : "dropped")))),
  ];
}

/** The model's views for its module, then its meta and Param as JSON (collapsed). */
export function modelViews(model, module) {
  const param = paramOf(model);
  const meta = model.meta || {};
  const moduleName = meta.module_name || model.module || module || "";
  let views = [];
  if (param.weight && typeof param.weight === "object") views = lrViews(param);
  else if (param.binningResult) views = binningViews(param);
  else if (param.finalLeftCols) views = selectionViews(param);
  const idLine = [meta.model_id, meta.model_version].filter(Boolean).join(" \u00b7 ");
  return [
    h("p", { class: "hint" }, moduleName, idLine ? ` \u00b7 ${idLine}` : ""),
    ...views.flat().filter(Boolean),
    h("details", { class: "json" }, h("summary", {}, "Model as JSON"), h("pre", { class: "mono" }, prettyJson(param))),
  ];
}
