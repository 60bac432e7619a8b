// The jobs page: the node's jobs (one row per job and local party), filtered by status and job id, kept
// current by the event stream.

import { api, jobPath, navigate, notice, onTick, subscribe } from "./api.js";
import { STATUSES, formatDuration, formatTime, h, progressBar, runningTime, statusBadge } from "./dom.js";

const LIMIT = 100;
const COLUMNS = ["Job ID", "Role", "Party", "Initiator", "Status", "Start", "Duration", "Progress"];

const rowKey = (job) => `${job.job_id}/${job.role}/${job.party_id}`;

function jobRow(job, now) {
  const href = jobPath(job.job_id, job.role, job.party_id);
  const row = h("tr", { "data-job-id": job.job_id, "data-role": job.role, "data-party-id": job.party_id,
                        "data-status": job.status, class: "clickable" },
    h("td", { class: "mono" }, h("a", { href }, job.job_id)),
    h("td", {}, job.role),
    h("td", { class: "mono" }, job.party_id),
    h("td", {}, job.initiator ? `${job.initiator.role} ${job.initiator.party_id}` : "", job.is_initiator
      ? h("span", { class: "tag", title: "this party initiated the job" }, "this party") : ""),
    h("td", {}, statusBadge(job.status)),
    h("td", { class: "mono" }, formatTime(job.start_time)),
    h("td", { class: "mono duration" }, formatDuration(runningTime(job, now))),
    h("td", {}, progressBar(job.progress, `progress of job ${job.job_id} (${job.role} ${job.party_id})`)));
  row.addEventListener("click", (event) => {
    if (!event.target.closest("a")) navigate(href);
  });
  return row;
}

function matches(job, filter) {
  return (!filter.status || job.status === filter.status) && (!filter.q || job.job_id.includes(filter.q));
}

/** Renders the jobs page into root; returns the view ({destroy}). */
export function renderJobs(root) {
  const params = new URLSearchParams(location.search);
  const filter = { status: params.get("status") || "", q: params.get("q") || "" };
  let jobs = [];
  let loaded = false;
  let request = 0;

  const statusSelect = h("select", { id: "status-filter", "data-testid": "status-filter", name: "status" },
    h("option", { value: "" }, "all statuses"),
    STATUSES.map((status) => h("option", { value: status }, status)));
  statusSelect.value = filter.status;
  const search = h("input", { id: "job-search", "data-testid": "job-search", type: "search", name: "q",
                              placeholder: "job id contains\u2026", autocomplete: "off", spellcheck: "false",
                              value: filter.q });
  const count = h("span", { class: "count", id: "jobs-count", "aria-live": "polite" }, "\u00a0");
  const messages = h("div", { class: "notice-area", id: "jobs-notice" });
  const body = h("tbody", {});
  const tableElement = h("table", { id: "jobs-table", "data-testid": "jobs-table", class: "data jobs" },
    h("caption", { class: "visually-hidden" }, "Jobs on this node"),
    h("thead", {}, h("tr", {}, COLUMNS.map((name) => h("th", { scope: "col" }, name)))), body);

  root.append(h("section", { class: "page jobs-page", "aria-labelledby": "jobs-title" },
    h("div", { class: "toolbar" },
      h("h1", { id: "jobs-title" }, "Jobs"),
      h("div", { class: "filters" },
        h("label", { for: "status-filter" }, "Status"), statusSelect,
        h("label", { for: "job-search" }, "Job ID"), search),
      count),
    messages,
    h("div", { class: "card table-card" }, tableElement)));

  function draw() {
    const now = Date.now();
    const shown = jobs.filter((job) => matches(job, filter)).slice(0, LIMIT);
    body.replaceChildren(...(shown.length ? shown.map((job) => jobRow(job, now))
      : [h("tr", { class: "empty" }, h("td", { colspan: COLUMNS.length },
          loaded ? "No jobs match." : "Loading jobs\u2026"))]));
    count.textContent = loaded ? `${shown.length} job${shown.length === 1 ? "" : "s"}` : "\u00a0";
  }

  async function load() {
    const mine = ++request;
    const query = new URLSearchParams({ limit: String(LIMIT) });
    if (filter.status) query.set("status", filter.status);
    if (filter.q) query.set("q", filter.q);
    try {
      const reply = await api(`/jobs?${query}`);
      if (mine !== request) return;
      jobs = reply.jobs || [];
      loaded = true;
      notice(messages, "");
    } catch (error) {
      if (mine !== request) return;
      notice(messages, `Could not list the jobs: ${error.message}`);
    }
    draw();
  }

  function filterChanged() {
    filter.status = statusSelect.value;
    filter.q = search.value.trim();
    const query = new URLSearchParams();
    if (filter.status) query.set("status", filter.status);
    if (filter.q) query.set("q", filter.q);
    history.replaceState(null, "", `${location.pathname}${query.toString() ? `?${query}` : ""}`);
    load();
  }

  let typing = null;
  statusSelect.addEventListener("change", filterChanged);
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(filterChanged, 250);
  });

  function jobChanged(row) {
    const key = rowKey(row);
    const at = jobs.findIndex((job) => rowKey(job) === key);
    if (at >= 0) jobs[at] = row;
    else jobs.push(row);
    jobs.sort((a, b) => (b.create_time || 0) - (a.create_time || 0));
    const existing = body.querySelector(`tr[data-job-id="${CSS.escape(row.job_id)}"][data-role="${CSS.escape(row.role)}"]` +
                                        `[data-party-id="${CSS.escape(row.party_id)}"]`);
    if (existing && matches(row, filter)) existing.replaceWith(jobRow(row, Date.now()));
    else draw();
  }

  function tick(now) {
    for (const tr of body.querySelectorAll("tr[data-status=running]")) {
      const job = jobs.find((item) => rowKey(item) === `${tr.dataset.jobId}/${tr.dataset.role}/${tr.dataset.partyId}`);
      if (job) tr.querySelector(".duration").textContent = formatDuration(runningTime(job, now));
    }
  }

  const unsubscribe = subscribe({ job: jobChanged, resync: load });
  const stopTicking = onTick(tick);
  draw();
  load();
  return {
    destroy() {
      unsubscribe();
      stopTicking();
      clearTimeout(typing);
      request++;
    },
  };
}
