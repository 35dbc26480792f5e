// Shared by the overview and the group page: building elements, fetching the JSON API,
// formatting numbers, and refreshing live. Names and reasons come from the cluster, so text is
// only ever set as text, never as HTML.
'use strict';

const KG = (() => {
  /** Status names, least to most severe: UNKNOWN (code -1, the monitor cannot say yet) above OK, below any problem. */
  const STATUSES = ['OK', 'UNKNOWN', 'WARNING', 'STALLED', 'STOPPED', 'REWIND', 'AT_RISK'];

  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value == null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : value);
    }
    for (const child of children.flat()) {
      if (child != null) node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  /** The API's answer: the envelope {schemaVersion, command, time, data, warnings} (docs/schemas/api-*.schema.json). */
  async function getJson(url) {
    const response = await fetch(url, {cache: 'no-store'});
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.error || `${response.status} ${response.statusText}`);
    return body;
  }

  function number(n) {
    return n == null ? '–' : Number(n).toLocaleString('en-US');
  }

  /** Seconds as the largest two units: 45s, 3m 20s, 2h 05m, 1d 3h. */
  function duration(seconds) {
    if (seconds == null) return '–';
    const s = Math.round(seconds);
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
    if (s < 86400) return `${Math.floor(s / 3600)}h ${String(Math.floor(s % 3600 / 60)).padStart(2, '0')}m`;
    return `${Math.floor(s / 86400)}d ${Math.floor(s % 86400 / 3600)}h`;
  }

  function badge(status) {
    return el('span', {class: `badge status-${status}`, text: status.replace('_', ' ')});
  }

  /** The group's type (classic, consumer, share, streams) as a quiet outlined badge, beside the status's solid one. */
  function typeBadge(type) {
    return el('span', {class: `type type-${type}`, text: type});
  }

  function severity(status) {
    return STATUSES.indexOf(status);
  }

  /**
   * Runs {@code task} now and again after each interval. The task returns an answer of the API that
   * carries the monitor's status (api/status, api/groups: the envelope's time is the server's clock;
   * data.lastSampleTime when the figures were read, intervalSeconds, lastError,
   * consecutiveFailures): the header says how old the figures are by the server's clocks, not the
   * browser's, and a banner says when the monitor cannot read the cluster. A failure to reach the
   * monitor itself is shown too, and the next round tries again: the page never needs a reload.
   */
  function live(task, fallbackMs = 5000) {
    const indicator = document.getElementById('live');
    const banner = document.getElementById('banner');
    async function round() {
      let next = fallbackMs;
      try {
        const answer = await task();
        const status = answer.data;
        next = status.intervalSeconds * 1000 || fallbackMs;
        const sampled = status.lastSampleTime == null ? null : Date.parse(status.lastSampleTime);
        const age = sampled == null ? null : Math.max(0, (Date.parse(answer.time) - sampled) / 1000);
        const stale = status.lastError != null || (age != null && age * 1000 > 3 * next);
        indicator.classList.toggle('failing', stale);
        indicator.textContent = age == null ? 'waiting for the first sample'
          : `sampled ${duration(age)} ago (${new Date(sampled).toLocaleTimeString()})`;
        if (status.lastError != null) {
          banner.hidden = false;
          banner.textContent = `The monitor cannot read the cluster (${status.consecutiveFailures} cycle(s) in a row): `
            + `${status.lastError}. The figures below are ${age == null ? 'not read yet' : `from ${duration(age)} ago`}.`;
        } else {
          banner.hidden = true;
        }
      } catch (e) {
        indicator.classList.add('failing');
        indicator.textContent = `cannot reach the monitor (${e.message}); retrying`;
      }
      setTimeout(round, Math.max(1000, Math.min(next, 10000)));
    }
    round();
  }

  return {STATUSES, el, getJson, number, duration, badge, typeBadge, severity, live};
})();
