// The component panel: parameters, metrics, output data, model and log of one component of a job's party,
// in tabs; the log tailed every 2 s while the component runs.

import { api, jobPath } from "./api.js";
import { cellText, h, prettyJson, statusBadge, table } from "./dom.js";
import { metricViews } from "./metrics.js";
import { modelViews } from "./model.js";

const TABS = [["metrics", "Metrics"], ["parameters", "Parameters"], ["output", "Output data"], ["model", "Model"], ["log", "Log"]];
const LOG_POLL_MS = 2000;
const DETAIL_REFRESH_MS = 10000; // metrics a running component records as it goes
const LOG_KEEP_CHARS = 2_000_000;

/** Nested parameters as rows of dotted names and values. */
function flatten(value, prefix, rows) {
  if (value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length) {
    Object.keys(value).sort().forEach((key) => flatten(value[key], prefix ? `${prefix}.${key}` : key, rows));
  } else {
    rows.push([prefix, cellText(value)]);
  }
  return rows;
}

function parametersView(reply) {
  const parameters = reply && reply.ComponentParam ? reply.ComponentParam : reply;
  if (!parameters || !Object.keys(parameters).length) return [h("p", { class: "empty-state" }, "No parameters recorded.")];
  return [
    table(["parameter", "value"], flatten(parameters, "", []), { class: "data compact params", "data-testid": "parameters-table" }),
    h("details", { class: "json" }, h("summary", {}, "Parameters as JSON"), h("pre", { class: "mono" }, prettyJson(parameters))),
  ];
}

function outputView(output) {
  if (!output || !output.rows) return [h("p", { class: "empty-state" }, "This component has no output data.")];
  return [
    h("p", { class: "hint", "data-testid": "output-total", "data-shown": output.rows.length, "data-total": output.total },
      `Showing the first ${output.rows.length} of ${output.total} rows.`),
    h("div", { class: "scroll-x" },
      table(output.header, output.rows, { id: "output-table", "data-testid": "output-table", class: "data compact mono" })),
  ];
}

/**
 * Opens the panel of one component in container.
 * where: {jobId, role, partyId, component, tab}; otherParties: [{role, party_id}] this node also serves.
 * Returns {setStatus(status, progress), setTab(tab), close()}.
 */
export function openPanel(container, where, otherParties, onClose) {
  const base = `/jobs/${encodeURIComponent(where.jobId)}/${encodeURIComponent(where.role)}/${encodeURIComponent(where.partyId)}` +
               `/components/${encodeURIComponent(where.component)}`;
  let status = null;
  let progress = null;
  let closed = false;
  let logOffset = 0;
  let logTimer = null;
  let logBusy = false;
  let logAgain = false;
  let detailRequest = 0;
  let detailTimer = null;
  const shown = {};

  const badgeSlot = h("span", { class: "badge-slot" });
  const closeButton = h("button", { type: "button", class: "icon-button", id: "close-panel", "aria-label": "close the component panel" }, "\u00d7");
  const tabList = h("div", { class: "tabs", role: "tablist", "aria-label": "component details" });
  const panels = {};
  const tabs = {};
  for (const [key, label] of TABS) {
    tabs[key] = h("button", { type: "button", role: "tab", id: `tab-${key}`, "data-testid": `tab-${key}`,
                              "aria-controls": `tabpanel-${key}`, tabindex: -1 }, label);
    panels[key] = h("div", { role: "tabpanel", id: `tabpanel-${key}`, "aria-labelledby": `tab-${key}`, class: "tabpanel",
                             hidden: true, tabindex: 0 }, h("p", { class: "empty-state" }, "Loading\u2026"));
    tabList.append(tabs[key]);
  }
  const logText = h("pre", { id: "log", "data-testid": "log", class: "log mono", tabindex: 0, "aria-live": "off",
                             "aria-label": "component log" });
  const logState = h("p", { class: "hint", id: "log-state" }, "\u00a0");
  panels.log.replaceChildren(logState, logText);
  const panel = h("section", { id: "component-panel", "data-testid": "component-panel", class: "card panel",
                               "data-component": where.component, "aria-labelledby": "panel-title" },
    h("header", { class: "panel-header" },
      h("h2", { id: "panel-title" }, where.component), h("span", { class: "panel-module", id: "panel-module" }),
      badgeSlot, closeButton),
    tabList, ...Object.values(panels));
  container.replaceChildren(panel);

  const selectTab = (key, focus) => {
    if (!tabs[key]) key = "metrics";
    for (const [name] of TABS) {
      const active = name === key;
      tabs[name].setAttribute("aria-selected", active ? "true" : "false");
      tabs[name].tabIndex = active ? 0 : -1;
      panels[name].hidden = !active;
    }
    if (focus) tabs[key].focus();
    return key;
  };
  let currentTab = selectTab(where.tab);
  const order = TABS.map(([key]) => key);
  tabList.addEventListener("click", (event) => {
    const button = event.target.closest("[role=tab]");
    if (!button) return;
    currentTab = selectTab(button.id.slice(4));
    history.replaceState(null, "", `${location.pathname}#${currentTab}`);
  });
  tabList.addEventListener("keydown", (event) => {
    const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -order.length, End: order.length };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = Math.max(0, Math.min(order.length - 1, order.indexOf(currentTab) + moves[event.key]));
    currentTab = selectTab(order[next], true);
    history.replaceState(null, "", `${location.pathname}#${currentTab}`);
  });
  closeButton.addEventListener("click", onClose);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented) onClose();
  });

  function noMetrics() {
    const links = otherParties.filter((p) => !(p.role === where.role && String(p.party_id) === String(where.partyId)));
    return h("div", { class: "empty-state" },
      h("p", {}, `No metrics recorded by ${where.role} ${where.partyId} for this component.`),
      links.length ? h("p", {}, "The same component at another party of this node: ",
        links.map((p, i) => [i ? ", " : "", h("a", { href: `${jobPath(where.jobId, p.role, p.party_id, where.component)}#metrics` },
                                               `${p.role} ${p.party_id}`)])) : null);
  }

  async function loadDetail() {
    const mine = ++detailRequest;
    let detail;
    try {
      detail = await api(base);
    } catch (error) {
      if (mine !== detailRequest || closed) return;
      for (const key of ["metrics", "parameters", "output", "model"]) {
        delete shown[key];
        panels[key].replaceChildren(h("p", { class: "notice notice-error", role: "status" }, `Could not load the component: ${error.message}`));
      }
      return;
    }
    if (mine !== detailRequest || closed) return;
    document.getElementById("panel-module").textContent = detail.module || "";
    applyStatus(detail.status);
    const metrics = detail.metrics || [];
    show("metrics", metrics, () => (metrics.length ? metricViews(metrics) : [noMetrics()]));
    show("parameters", detail.parameters, () => parametersView(detail.parameters));
    show("output", detail.output_data, () => outputView(detail.output_data));
    show("model", detail.model, () => (detail.model ? modelViews(detail.model, detail.module)
      : [h("p", { class: "empty-state" }, "This component has no model.")]));
    clearTimeout(detailTimer);
    if (status === "running") detailTimer = setTimeout(loadDetail, DETAIL_REFRESH_MS);
  }

  /** Redraws a tab only when its data changed, so that a refresh keeps its scroll and focus. */
  function show(key, data, views) {
    const text = JSON.stringify(data ?? null);
    if (shown[key] === text) return;
    shown[key] = text;
    panels[key].replaceChildren(...views());
  }

  function applyStatus(next) {
    if (next === status) return;
    status = next;
    panel.dataset.status = status;
    badgeSlot.replaceChildren(statusBadge(status));
    readLog(); // once now; again every 2 s while running
  }

  async function readLog() {
    clearTimeout(logTimer);
    logTimer = null;
    if (closed) return;
    if (logBusy) {
      logAgain = true;
      return;
    }
    logBusy = true;
    logAgain = false;
    try {
      const reply = await api(`${base}/log?offset=${logOffset}`);
      if (closed) return;
      if (reply.text) {
        const atBottom = logText.scrollTop + logText.clientHeight >= logText.scrollHeight - 4;
        let text = logText.textContent + reply.text;
        if (text.length > LOG_KEEP_CHARS) text = text.slice(text.length - LOG_KEEP_CHARS);
        logText.textContent = text;
        if (atBottom) logText.scrollTop = logText.scrollHeight;
      }
      const more = reply.offset > logOffset;
      logOffset = reply.offset;
      if (more && reply.text.length >= 256 * 1024) {
        logTimer = setTimeout(readLog, 0); // more than one call's worth is waiting
      } else if (status === "running") {
        logState.textContent = "Following the log while the component runs\u2026";
        logTimer = setTimeout(readLog, LOG_POLL_MS);
      } else {
        logState.textContent = logText.textContent ? "\u00a0" : "The log is empty.";
      }
    } catch (error) {
      if (!closed) logState.textContent = `Could not read the log: ${error.message}`;
    } finally {
      logBusy = false;
      if (logAgain && !closed) readLog();
    }
  }

  loadDetail();
  return {
    /** The component's state as the job's DAG now shows it: reloads what may have changed. */
    setStatus(nextStatus, nextProgress) {
      if (nextStatus === status && nextProgress === progress) return;
      progress = nextProgress;
      applyStatus(nextStatus);
      loadDetail();
    },
    setTab(tab) {
      currentTab = selectTab(tab || "metrics");
    },
    close() {
      closed = true;
      clearTimeout(logTimer);
      clearTimeout(detailTimer);
      detailRequest++;
    },
  };
}
