// The board's client side of the node: the API, the live event stream, a clock, in-app navigation.

import { h } from "./dom.js";
export const BASE = "/board";

/** A failed API call: the server's one-sentence retmsg, or what went wrong on the way. */
export class ApiError extends Error {}

/** GET (or with options, any method) of a board API path, its JSON on success. */
export async function api(path, options) {
  let response;
  try {
    response = await fetch(`${BASE}/api${path}`, { headers: { Accept: "application/json" }, ...options });
  } catch (error) {
    throw new ApiError(`the node did not answer (${error.message})`);
  }
  let body = null;
  try {
    body = await response.json();
  } catch (error) {
    throw new ApiError(`the node answered HTTP ${response.status} without JSON`);
  }
  if (!response.ok || (body && typeof body.retcode === "number" && body.retcode !== 0)) {
    throw new ApiError(body && body.retmsg ? body.retmsg : `the node answered HTTP ${response.status}`);
  }
  return body;
}

export function jobPath(jobId, role, partyId, component) {
  const base = `${BASE}/jobs/${encodeURIComponent(jobId)}/${encodeURIComponent(role)}/${encodeURIComponent(partyId)}`;
  return component ? `${base}/components/${encodeURIComponent(component)}` : base;
}

// --- live events: one EventSource for the whole app; the browser reconnects it by itself -------------
const eventListeners = new Set();
let eventSource = null;

function setLiveState(state, text) {
  const indicator = document.getElementById("live-status");
  if (!indicator) return;
  indicator.dataset.state = state;
  indicator.querySelector(".live-text").textContent = text;
}

function openEvents() {
  let opened = false;
  eventSource = new EventSource(`${BASE}/events`);
  eventSource.addEventListener("open", () => {
    setLiveState("live", "live");
    if (opened) eventListeners.forEach((listener) => listener.resync && listener.resync());
    opened = true;
  });
  eventSource.addEventListener("error", () => setLiveState("reconnecting", "reconnecting\u2026"));
  eventSource.addEventListener("job", (event) => {
    let row;
    try {
      row = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    eventListeners.forEach((listener) => listener.job && listener.job(row));
  });
}

/** Calls listener.job(row) for each job event and listener.resync() after a reconnect; returns the undo. */
export function subscribe(listener) {
  eventListeners.add(listener);
  if (!eventSource) openEvents();
  return () => eventListeners.delete(listener);
}

// --- a one-second clock for elapsed times, running only while someone listens -------------------------
const tickListeners = new Set();
let tickTimer = null;

export function onTick(listener) {
  tickListeners.add(listener);
  if (!tickTimer) tickTimer = setInterval(() => tickListeners.forEach((fn) => fn(Date.now())), 1000);
  return () => {
    tickListeners.delete(listener);
    if (!tickListeners.size) {
      clearInterval(tickTimer);
      tickTimer = null;
    }
  };
}

/** Goes to an in-app address without reloading the page. */
export function navigate(href, replace) {
  if (replace) history.replaceState(null, "", href);
  else history.pushState(null, "", href);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

/** A message in a page's notice area, for errors that leave the page usable. */
export function notice(container, text, kind) {
  container.replaceChildren(text ? h("p", { class: `notice notice-${kind || "error"}`, role: "status" }, text) : "");
}
