// The job page: one party's view of a job - its DAG, progress, elapsed time, per-party status, conf and DSL,
// the stop button (asking first), and the panel of the component picked in the DAG.

import { BASE, api, jobPath, navigate, notice, onTick, subscribe } from "./api.js";
import { openPanel } from "./component.js";
import { dagLegend, renderDag } from "./dag.js";
import { formatDuration, formatTime, h, prettyJson, progressBar, runningTime, statusBadge } from "./dom.js";

const STOPPABLE = new Set(["waiting", "running"]);
const REFRESH_DELAY_MS = 250;

function stopDialog(jobId, onConfirm) {
  const yes = h("button", { type: "button", id: "stop-confirm-yes", "data-testid": "stop-confirm-yes", class: "danger" }, "Stop the job");
  const no = h("button", { type: "button", id: "stop-confirm-no", "data-testid": "stop-confirm-no" }, "Keep it running");
  const dialog = h("dialog", { id: "stop-confirm", "data-testid": "stop-confirm", "aria-labelledby": "stop-confirm-title",
                               "aria-describedby": "stop-confirm-text" },
    h("h2", { id: "stop-confirm-title" }, "Stop this job?"),
    h("p", { id: "stop-confirm-text" }, `Job ${jobId} stops at every party; its running tasks are killed and it ends canceled.`),
    h("div", { class: "dialog-buttons" }, no, yes));
  no.addEventListener("click", () => dialog.close("no"));
  yes.addEventListener("click", () => dialog.close("yes"));
  dialog.addEventListener("close", () => {
    if (dialog.returnValue === "yes") onConfirm();
  });
  return dialog;
}

/** Renders the job page for route {jobId, role, partyId, component, tab}; returns the view. */
export function renderJob(root, route) {
  const where = { jobId: route.jobId, role: route.role, partyId: route.partyId };
  let detail = null;
  let localParties = [];
  let dag = null;
  let panel = null;
  let panelComponent = null;
  const seen = new Map();
  let destroyed = false;
  let refreshTimer = null;
  let request = 0;

  const messages = h("div", { class: "notice-area", id: "job-message", "data-testid": "job-message", "aria-live": "polite" });
  const statusSlot = h("span", { id: "job-status", "data-testid": "job-status", class: "badge-slot" });
  const progressSlot = h("div", { class: "progress-slot" });
  const startText = h("span", { class: "mono", id: "job-start" }, "\u2014");
  const elapsedText = h("span", { class: "mono", id: "job-elapsed", "data-testid": "job-elapsed" }, "\u2014");
  const stopButton = h("button", { type: "button", id: "stop-job", "data-testid": "stop-job", class: "danger", disabled: true }, "Stop job");
  const partyText = h("span", { class: "job-party" }, where.role ? `${where.role} ${where.partyId}` : "");
  const dagSlot = h("div", { class: "dag-slot" }, h("p", { class: "empty-state" }, "Loading the job\u2026"));
  const partiesBody = h("tbody", {});
  const confPre = h("pre", { class: "mono json-block" });
  const dslPre = h("pre", { class: "mono json-block" });
  const panelSlot = h("div", { class: "panel-slot", id: "panel-slot" });
  const dialog = stopDialog(where.jobId, stopJob);

  root.append(h("section", { class: "page job-page", "aria-labelledby": "job-title" },
    h("nav", { class: "breadcrumb", "aria-label": "breadcrumb" }, h("a", { href: `${BASE}/` }, "Jobs"), " / ",
      h("span", { class: "mono" }, where.jobId)),
    h("div", { class: "card job-head" },
      h("div", { class: "job-title-line" }, h("h1", { id: "job-title", class: "mono" }, where.jobId), partyText, statusSlot),
      h("dl", { class: "job-facts" },
        h("div", {}, h("dt", {}, "Progress"), h("dd", {}, progressSlot)),
        h("div", {}, h("dt", {}, "Started"), h("dd", {}, startText)),
        h("div", {}, h("dt", {}, "Elapsed"), h("dd", {}, elapsedText))),
      stopButton),
    messages,
    h("div", { class: "job-body" },
      h("div", { class: "job-side" },
        h("section", { class: "card", "aria-labelledby": "dag-title" },
          h("div", { class: "card-head" }, h("h2", { id: "dag-title" }, "Components"), dagLegend()),
          h("p", { class: "hint" }, "Pick a component (click, or Tab then Enter) to see its details."),
          dagSlot),
        h("section", { class: "card", "aria-labelledby": "parties-title" },
          h("h2", { id: "parties-title" }, "Parties"),
          h("table", { id: "parties", "data-testid": "parties", class: "data compact" },
            h("thead", {}, h("tr", {}, ["Role", "Party", "Status"].map((name) => h("th", { scope: "col" }, name)))),
            partiesBody)),
        h("section", { class: "card", "aria-label": "job configuration" },
          h("details", { id: "job-conf", class: "json" }, h("summary", {}, "Job conf"), confPre),
          h("details", { id: "job-dsl", class: "json" }, h("summary", {}, "Job DSL"), dslPre))),
      panelSlot),
    dialog));
  showPanelHint();

  function showPanelHint() {
    panelSlot.replaceChildren(h("div", { class: "card panel placeholder" },
      h("p", { class: "empty-state" }, "Select a component in the graph to see its parameters, metrics, output data, model and log.")));
  }

  async function resolveParty() {
    try {
      const reply = await api(`/jobs?q=${encodeURIComponent(where.jobId)}`);
      localParties = (reply.jobs || []).filter((job) => job.job_id === where.jobId);
    } catch (error) {
      notice(messages, `Could not find the job's parties: ${error.message}`);
      return false;
    }
    if (!where.role) {
      const pick = localParties.find((job) => job.is_initiator) || localParties[0];
      if (!pick) {
        dagSlot.replaceChildren(h("p", { class: "notice notice-error" }, `No job ${where.jobId} on this node.`));
        return false;
      }
      navigate(jobPath(pick.job_id, pick.role, pick.party_id), true);
      return false;
    }
    return true;
  }

  function drawHead(job) {
    statusSlot.dataset.status = job.status;
    statusSlot.replaceChildren(statusBadge(job.status));
    progressSlot.replaceChildren(progressBar(job.progress, "job progress"));
    startText.textContent = formatTime(job.start_time);
    elapsedText.textContent = formatDuration(runningTime(job, Date.now()));
    stopButton.disabled = !STOPPABLE.has(job.status);
    document.title = `${job.job_id} \u00b7 ${job.status} \u00b7 FATE board`;
  }

  function drawParties(parties) {
    const local = new Set(localParties.map((job) => `${job.role}/${job.party_id}`));
    partiesBody.replaceChildren(...parties.map((party) => {
      const here = party.role === where.role && String(party.party_id) === String(where.partyId);
      const served = party.local ?? local.has(`${party.role}/${party.party_id}`);
      const name = served && !here
        ? h("a", { href: jobPath(where.jobId, party.role, party.party_id, panelComponent) }, party.party_id)
        : h("span", { "aria-current": here ? "page" : null }, party.party_id, here ? " (this view)" : "");
      return h("tr", { "data-party-role": party.role, "data-party-id": party.party_id, "data-status": party.status || "",
                       "data-local": served ? "true" : "false" },
        h("td", {}, party.role), h("td", { class: "mono" }, name),
        h("td", {}, served ? statusBadge(party.status) : h("span", { class: "hint" }, "on another node")));
    }));
  }

  function syncPanel() {
    if (!panel || !detail) return;
    const component = detail.dag.components.find((c) => c.name === panelComponent);
    if (!component) return;
    const last = seen.get(component.name);
    if (!last || last.status !== component.status || last.progress !== component.progress) {
      seen.set(component.name, { status: component.status, progress: component.progress });
      if (last) panel.setStatus(component.status, component.progress);
    }
  }

  async function load() {
    const mine = ++request;
    let reply;
    try {
      reply = await api(`/jobs/${encodeURIComponent(where.jobId)}/${encodeURIComponent(where.role)}/${encodeURIComponent(where.partyId)}`);
    } catch (error) {
      if (mine !== request || destroyed) return;
      if (!detail) dagSlot.replaceChildren(h("p", { class: "notice notice-error" }, `Could not load the job: ${error.message}`));
      else notice(messages, `Could not refresh the job: ${error.message}`);
      return;
    }
    if (mine !== request || destroyed) return;
    const first = !detail;
    detail = reply;
    drawHead(reply.job);
    drawParties(reply.parties || []);
    if (first) {
      confPre.textContent = prettyJson(reply.conf);
      dslPre.textContent = prettyJson(reply.dsl);
      dag = renderDag(reply.dag, (name) => navigate(jobPath(where.jobId, where.role, where.partyId, name)));
      dagSlot.replaceChildren(dag.element);
      if (panelComponent) dag.select(panelComponent);
    } else {
      dag.update(reply.dag.components);
    }
    syncPanel();
  }

  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(load, REFRESH_DELAY_MS);
  }

  async function stopJob() {
    stopButton.disabled = true;
    notice(messages, "Stopping the job\u2026", "info");
    try {
      const reply = await api(`/jobs/${encodeURIComponent(where.jobId)}/stop`, { method: "POST" });
      notice(messages, `Stop requested: ${reply.retmsg || "the node is stopping the job"}`, "info");
    } catch (error) {
      notice(messages, `Could not stop the job: ${error.message}`);
    }
    refreshSoon();
  }

  function showComponent(component, tab, focus) {
    if (component !== panelComponent) {
      if (panel) panel.close();
      panel = null;
      panelComponent = component;
      if (dag) dag.select(component);
      if (!component) {
        showPanelHint();
        return;
      }
      const current = detail && detail.dag.components.find((c) => c.name === component);
      seen.set(component, current ? { status: current.status, progress: current.progress } : undefined);
      if (!current) seen.delete(component);
      panel = openPanel(panelSlot, { ...where, component, tab }, localParties, () => {
        navigate(jobPath(where.jobId, where.role, where.partyId));
        const node = dag && dag.element.querySelector(`g[data-component="${CSS.escape(component)}"]`);
        if (node) node.focus();
      });
      if (focus) document.getElementById(`tab-${tab || "metrics"}`)?.focus();
      drawParties((detail && detail.parties) || []);
    } else if (panel && tab) {
      panel.setTab(tab);
    }
  }

  stopButton.addEventListener("click", () => {
    dialog.showModal();
    document.getElementById("stop-confirm-no").focus(); // the safe choice first
  });
  const unsubscribe = subscribe({
    job: (row) => { if (row.job_id === where.jobId) refreshSoon(); },
    resync: refreshSoon,
  });
  const stopTicking = onTick((now) => {
    if (detail && detail.job.status === "running") elapsedText.textContent = formatDuration(runningTime(detail.job, now));
  });

  resolveParty().then((ready) => {
    if (!ready || destroyed) return;
    drawParties([]);
    load().then(() => { if (!destroyed && route.component && !panel) showComponent(route.component, route.tab); });
  });

  return {
    update(next) {
      if (next.jobId !== where.jobId || next.role !== where.role || next.partyId !== where.partyId) return false;
      showComponent(next.component, next.tab, true);
      return true;
    },
    destroy() {
      destroyed = true;
      if (panel) panel.close();
      unsubscribe();
      stopTicking();
      clearTimeout(refreshTimer);
      if (dialog.open) dialog.close();
    },
  };
}
