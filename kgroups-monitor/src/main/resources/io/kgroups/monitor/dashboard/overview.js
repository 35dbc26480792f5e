// The overview: the groups the monitor sees, a page at a time, with counts per status, sorting and
// filtering done by the server, refreshed every sampling interval from /api/groups.
'use strict';

(() => {
  const {el, number, duration, badge, typeBadge, STATUSES} = KG;
  const columns = [
    {key: 'group', label: 'Group'},
    {key: 'type', label: 'Type'},
    {key: 'status', label: 'Status'},
    {key: 'state', label: 'State'},
    {key: 'totalLag', label: 'Lag', num: true},
    {key: 'maxLagSeconds', label: 'Time lag', num: true},
    {key: 'members', label: 'Members', num: true},
    {key: 'topics', label: 'Topics', fixed: true}, // the server sorts by the others
  ];
  // The server filters, sorts and pages (GET api/groups?q=&type=&status=&sort=&order=&limit=&after=): a
  // cluster of 10,000 groups sends one page of PAGE rows, not every group every interval.
  const PAGE = 100;
  const view = {data: null, sort: 'status', descending: true, filter: '', status: null, type: '', cluster: '', cursors: []};
  let asked = 0;

  function query() {
    const params = new URLSearchParams({sort: view.sort, order: view.descending ? 'desc' : 'asc', limit: PAGE});
    if (view.filter.trim()) params.set('q', view.filter.trim());
    if (view.type) params.set('type', view.type);
    if (view.cluster) params.set('cluster', view.cluster);
    if (view.status) params.set('status', view.status);
    if (view.cursors.length) params.set('after', view.cursors[view.cursors.length - 1]);
    return `api/groups?${params}`;
  }

  /** Fetches the page the view asks for; an answer to an older question (the filter changed since) is dropped. */
  async function load() {
    const mine = ++asked;
    const answer = await KG.getJson(query());
    if (mine === asked) {
      view.data = answer.data;
      render();
    }
    return answer;
  }

  /** A new filter or sort starts again at the first page. */
  function reload() {
    view.cursors = [];
    load().catch(() => {}); // the live round shows a failure to reach the monitor
  }

  function renderCounts(data) {
    const counts = data.counts || {};
    const all = STATUSES.reduce((sum, s) => sum + (counts[s] || 0), 0);
    const chips = [['all', all], ...STATUSES.map(s => [s, counts[s] || 0])].map(([status, count]) => {
      const active = status === 'all' ? view.status == null : view.status === status;
      return el('button', {
        class: `count status-${status}`, 'aria-pressed': String(active), 'data-status': status,
        title: status === 'all' ? 'Show every group' : `Show only ${status} groups`,
        onclick: () => { view.status = status === 'all' || active ? null : status; reload(); },
      }, el('b', {text: count}), el('span', {text: status === 'all' ? 'GROUPS' : status.replace('_', ' ')}));
    });
    document.getElementById('counts').replaceChildren(...chips);
  }

  function emptyState(data) {
    if (data.cycles === 0) {
      return el('div', {class: 'card empty'}, el('h2', {text: 'Waiting for the first sample…'}),
        el('p', {text: 'The monitor is reading the cluster; groups appear here when the first cycle completes.'}));
    }
    return el('div', {class: 'card empty'},
      el('h2', {text: 'No consumer groups yet'}),
      el('p', {}, 'The cluster has no consumer group with committed offsets or members',
        ' (or none matches the monitor\'s --groups / --exclude).'),
      el('p', {}, 'Start a consumer with a ', el('code', {text: 'group.id'}), ', or run ',
        el('code', {text: './kgroups demo'}), ' for the reference storage_loader group.'),
      el('p', {text: `Groups show up at the next sample (every ${data.intervalSeconds < 1
        ? `${Math.round(data.intervalSeconds * 1000)} ms` : duration(data.intervalSeconds)}); this page refreshes by itself.`}));
  }

  function renderTable(groups) {
    const header = el('tr', {}, view.data.clusters ? el('th', {}, 'Cluster') : null, columns.map(c => c.fixed ? el('th', {}, c.label) : el('th', {
      class: `sortable${c.num ? ' num' : ''}`, 'data-key': c.key, title: `Sort by ${c.label.toLowerCase()}`,
      'aria-sort': view.sort === c.key ? (view.descending ? 'descending' : 'ascending') : 'none',
      onclick: () => {
        view.descending = view.sort === c.key ? !view.descending : c.num || c.key === 'status';
        view.sort = c.key;
        reload();
      },
    }, c.label)));
    const rows = groups.map(g => el('tr', {'data-group': g.group, 'data-type': g.type, 'data-cluster': g.cluster},
      g.cluster ? el('td', {class: 'cluster', text: g.cluster}) : null,
      el('td', {}, el('a', {href: `group.html?group=${encodeURIComponent(g.group)}`
        + (g.cluster ? `&cluster=${encodeURIComponent(g.cluster)}` : ''), text: g.group})),
      el('td', {}, typeBadge(g.type)),
      el('td', {title: g.reasons.join('\n')}, badge(g.status)),
      el('td', {text: g.state}),
      el('td', {class: 'num lag', text: number(g.totalLag)}),
      el('td', {class: 'num', text: duration(g.maxLagSeconds)}),
      el('td', {class: 'num', text: g.members}),
      el('td', {class: 'wrap', text: g.topics.join(', ')})));
    if (rows.length === 0) {
      rows.push(el('tr', {}, el('td', {colspan: columns.length + (view.data.clusters ? 1 : 0), class: 'muted',
        text: 'No group matches the filter.'})));
    }
    return el('div', {class: 'table-card'}, el('table', {id: 'groups-table'}, el('thead', {}, header), el('tbody', {}, rows)));
  }

  function pager(data) {
    const first = view.cursors.length * PAGE;
    if (!view.cursors.length && !data.next) return null;
    return el('div', {class: 'pager'},
      el('button', {class: 'small', id: 'previous-page', disabled: !view.cursors.length,
        onclick: () => { view.cursors.pop(); load().catch(() => {}); }}, '‹ Previous'),
      el('span', {class: 'muted', text: ` ${number(first + 1)}–${number(first + data.groups.length)} of ${number(data.matched)} `}),
      el('button', {class: 'small', id: 'next-page', disabled: !data.next,
        onclick: () => { view.cursors.push(data.next); load().catch(() => {}); }}, 'Next ›'));
  }

  /** A monitor of several clusters: a select of them beside the type filter, made once. */
  function renderClusterFilter(data) {
    const select = document.getElementById('cluster-filter');
    if (!data.clusters || select.options.length > 1) return;
    select.hidden = false;
    data.clusters.forEach(c => select.append(el('option', {value: c.cluster, text: c.cluster})));
  }

  function render() {
    const data = view.data;
    if (!data) return;
    renderClusterFilter(data);
    renderCounts(data);
    const skipped = data.skipped || [];
    const shownText = document.getElementById('shown');
    shownText.textContent = (data.total ? `${number(data.matched)} of ${number(data.total)} groups` : '')
      + (skipped.length ? ` · ${skipped.length} not monitored (no consumer offsets: ${skipped.slice(0, 20).map(s => s.group).join(', ')}`
        + `${skipped.length > 20 ? ', …' : ''})` : '');
    shownText.title = skipped.slice(0, 200).map(s => `${s.group}: ${s.reason}`).join('\n');
    document.getElementById('groups').replaceChildren(...(data.total
      ? [renderTable(data.groups), pager(data)].filter(Boolean) : [emptyState(data)]));
  }

  let typing;
  document.getElementById('filter').addEventListener('input', e => {
    view.filter = e.target.value;
    clearTimeout(typing);
    typing = setTimeout(reload, 200); // one request when the typing pauses, not one per key
  });
  document.getElementById('type-filter').addEventListener('change', e => { view.type = e.target.value; reload(); });
  document.getElementById('cluster-filter').addEventListener('change', e => { view.cluster = e.target.value; reload(); });

  KG.live(load);
})();
