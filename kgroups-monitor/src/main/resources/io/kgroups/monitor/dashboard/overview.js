// The overview: every group the monitor sees, with counts per status, sorting and filtering,
// refreshed every sampling interval from /api/groups.
'use strict';

(() => {
  const {el, number, duration, badge, typeBadge, severity, STATUSES} = KG;
  const columns = [
    {key: 'group', label: 'Group'},
    {key: 'type', label: 'Type'},
    {key: 'status', label: 'Status'},
    {key: 'state', label: 'State'},
    {key: 'totalLag', label: 'Lag', num: true},
    {key: 'maxLagSeconds', label: 'Time lag', num: true},
    {key: 'members', label: 'Members', num: true},
    {key: 'topics', label: 'Topics'},
  ];
  const view = {data: null, sort: 'status', descending: true, filter: '', status: null, type: ''};

  const compare = {
    status: (a, b) => severity(a.status) - severity(b.status),
    topics: (a, b) => a.topics.join(',').localeCompare(b.topics.join(',')),
    group: (a, b) => a.group.localeCompare(b.group),
    type: (a, b) => a.type.localeCompare(b.type),
    state: (a, b) => String(a.state).localeCompare(String(b.state)),
  };

  function sorted(groups) {
    const by = compare[view.sort] || ((a, b) => (a[view.sort] ?? -1) - (b[view.sort] ?? -1));
    const direction = view.descending ? -1 : 1;
    // Ties: the larger lag first, then by name, so the order holds still between refreshes.
    return [...groups].sort((a, b) => direction * by(a, b) || b.totalLag - a.totalLag || a.group.localeCompare(b.group));
  }

  function matches(g) {
    if (view.status && g.status !== view.status) return false;
    if (view.type && g.type !== view.type) return false;
    const text = view.filter.trim().toLowerCase();
    return !text || [g.group, g.state, g.type, ...g.topics].some(s => String(s).toLowerCase().includes(text));
  }

  function renderCounts(groups) {
    const counts = Object.fromEntries(STATUSES.map(s => [s, 0]));
    groups.forEach(g => counts[g.status]++);
    const chips = [['all', groups.length], ...STATUSES.map(s => [s, counts[s]])].map(([status, count]) => {
      const active = status === 'all' ? view.status == null : view.status === status;
      return el('button', {
        class: `count status-${status}`, 'aria-pressed': String(active), 'data-status': status,
        title: status === 'all' ? 'Show every group' : `Show only ${status} groups`,
        onclick: () => { view.status = status === 'all' || active ? null : status; render(); },
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
    const header = el('tr', {}, columns.map(c => el('th', {
      class: `sortable${c.num ? ' num' : ''}`, 'data-key': c.key, title: `Sort by ${c.label.toLowerCase()}`,
      'aria-sort': view.sort === c.key ? (view.descending ? 'descending' : 'ascending') : 'none',
      onclick: () => {
        view.descending = view.sort === c.key ? !view.descending : c.num || c.key === 'status';
        view.sort = c.key;
        render();
      },
    }, c.label)));
    const rows = groups.map(g => el('tr', {'data-group': g.group, 'data-type': g.type},
      el('td', {}, el('a', {href: `group.html?group=${encodeURIComponent(g.group)}`, text: g.group})),
      el('td', {}, typeBadge(g.type)),
      el('td', {title: g.reasons.join('\n')}, badge(g.status)),
      el('td', {text: g.state}),
      el('td', {class: 'num lag', text: number(g.totalLag)}),
      el('td', {class: 'num', text: duration(g.maxLagSeconds)}),
      el('td', {class: 'num', text: g.members}),
      el('td', {class: 'wrap', text: g.topics.join(', ')})));
    if (rows.length === 0) {
      rows.push(el('tr', {}, el('td', {colspan: columns.length, class: 'muted', text: 'No group matches the filter.'})));
    }
    return el('div', {class: 'table-card'}, el('table', {id: 'groups-table'}, el('thead', {}, header), el('tbody', {}, rows)));
  }

  function render() {
    const data = view.data;
    if (!data) return;
    renderCounts(data.groups);
    const shown = sorted(data.groups.filter(matches));
    const skipped = data.skipped || [];
    const shownText = document.getElementById('shown');
    shownText.textContent = (data.groups.length ? `${shown.length} of ${data.groups.length} groups` : '')
      + (skipped.length ? ` · ${skipped.length} not monitored (no consumer offsets: ${skipped.map(s => s.group).join(', ')})` : '');
    shownText.title = skipped.map(s => `${s.group}: ${s.reason}`).join('\n');
    document.getElementById('groups').replaceChildren(data.groups.length ? renderTable(shown) : emptyState(data));
  }

  document.getElementById('filter').addEventListener('input', e => { view.filter = e.target.value; render(); });
  document.getElementById('type-filter').addEventListener('change', e => { view.type = e.target.value; render(); });

  KG.live(async () => {
    const answer = await KG.getJson('api/groups');
    view.data = answer.data;
    render();
    return answer;
  });
})();
