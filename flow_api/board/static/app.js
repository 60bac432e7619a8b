// The board's single-page app: routing on location.pathname, the API client, the live event stream.
//
// Stable hooks for browser tests (ids and data-testid attributes):
//   #live-status                         "live" / "reconnecting" indicator of the event stream (data-state)
//   Jobs page
//     #jobs-table [data-testid=jobs-table]      the jobs table; its rows: tr[data-job-id][data-role][data-party-id]
//                                               with data-status on the row
//     #status-filter [data-testid=status-filter] <select> of statuses ("" = all)
//     #job-search [data-testid=job-search]       search box (job id substring)
//   Job page (/board/jobs/<job_id>/<role>/<party_id>)
//     #job-status [data-testid=job-status]       the job's status badge (data-status)
//     #job-elapsed [data-testid=job-elapsed]     elapsed time, ticking while the job runs
//     #dag [data-testid=dag]                     the DAG's <svg>; nodes: g[data-component][data-status]
//                                                (role=button, tabindex=0; Enter/Space/click opens the panel)
//     #parties [data-testid=parties]             per-party status table: tr[data-party-role][data-party-id]
//     #job-conf, #job-dsl                        <details> with the pretty JSON
//     #stop-job [data-testid=stop-job]           stop button (disabled once the job has ended)
//     #stop-confirm [data-testid=stop-confirm]   the confirm <dialog>; #stop-confirm-yes / #stop-confirm-no
//     #job-message [data-testid=job-message]     result of the stop request and other notices
//   Component panel (/board/jobs/<job_id>/<role>/<party_id>/components/<name>[#tab])
//     #component-panel [data-testid=component-panel] data-component, data-status
//     tabs: #tab-metrics, #tab-parameters, #tab-output, #tab-model, #tab-log (data-testid the same);
//           the URL's hash (#metrics, #parameters, #output, #model, #log) picks one
//     [data-testid=loss-chart]    the loss chart; one [data-testid=loss-point] per iteration
//                                 (data-x = iteration, data-y = loss)
//     [data-testid=roc-chart]     the ROC chart; [data-testid=roc-auc] its AUC text (data-value)
//     [data-testid=ks-chart], [data-testid=lift-chart], [data-testid=gain-chart], [data-testid=pr-chart]
//     [data-testid=confusion-matrix] with #threshold-slider [data-testid=threshold-slider]
//     [data-testid=summary-table] evaluation summary (one per curve)
//     #output-table [data-testid=output-table]   first rows of output data (thead = header)
//     [data-testid=output-total]                 "showing N of M rows"
//     [data-testid=parameters-table]             the component's parameters
//     [data-testid=model-weights] / [data-testid=model-iv] / [data-testid=model-selection]  model views
//     #log [data-testid=log]                     the log text, tailed every 2 s while the component runs

import { BASE, navigate } from "./api.js";
import { renderJobs } from "./jobs.js";
import { renderJob } from "./job.js";

/** The route a pathname names: {page: "jobs"} or {page: "job", jobId, role, partyId, component, tab}. */
function parseRoute(pathname, hash) {
  const parts = pathname.replace(/^\/board\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  const tab = hash.replace(/^#/, "") || null;
  if (parts[0] !== "jobs" || parts.length < 2) return { page: "jobs" };
  const [, jobId, role, partyId, section, component] = parts;
  return { page: "job", jobId, role: role || null, partyId: partyId || null,
           component: section === "components" ? component || null : null, tab };
}

// --- routing --------------------------------------------------------------------------------------------
let current = null;

function route() {
  const next = parseRoute(location.pathname, location.hash);
  const main = document.getElementById("main");
  if (current && current.route.page === next.page && current.view.update && current.view.update(next)) {
    current.route = next;
    return;
  }
  if (current) current.view.destroy();
  main.replaceChildren();
  const first = !current;
  const view = next.page === "job" ? renderJob(main, next) : renderJobs(main);
  current = { route: next, view };
  if (!first) main.focus({ preventScroll: true }); // a new page: start reading from its top
}

function followLinks(event) {
  const link = event.target.closest("a[href]");
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || link.target) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(`${BASE}/`) ||
      url.pathname.startsWith(`${BASE}/api/`) || url.pathname.startsWith(`${BASE}/static/`)) return;
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
}

document.addEventListener("click", followLinks);
window.addEventListener("popstate", route);
route();
