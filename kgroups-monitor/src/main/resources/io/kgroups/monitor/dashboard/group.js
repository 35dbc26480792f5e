// One group: its status and reasons, lag and time lag over time (uPlot), partitions, members,
// and the reset preview. Refreshed every sampling interval from /api/group[/history]?name=GROUP.
'use strict';

(() => {
  const {el, number, duration, badge, typeBadge} = KG;
  const params = new URLSearchParams(location.search);
  const group = params.get('group') || '';
  // A monitor of several clusters: which one's group this is.
  const cluster = params.get('cluster');
  // The query forms of the API: a group name may hold '/' or '%', which a path cannot carry.
  const name = `name=${encodeURIComponent(group)}${cluster ? `&cluster=${encodeURIComponent(cluster)}` : ''}`;
  const api = 'api/group';
  const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  // The monitor keeps a window of commits; the page keeps what it has seen since it opened, up to this.
  const MAX_POINTS = 2000;
  const samples = new Map(); // "topic-partition" -> {topic, partition, byTime: Map(epoch ms -> {lag, lagSeconds})}
  const charts = {};
  let per = 'topic';
  document.title = `kgroups · ${group}${cluster ? ` · ${cluster}` : ''}`;

  function merge(history) {
    for (const p of history.partitions) {
      const key = `${p.topic}-${p.partition}`;
      if (!samples.has(key)) samples.set(key, {topic: p.topic, partition: p.partition, byTime: new Map()});
      const byTime = samples.get(key).byTime;
      // A time lag known once (the last sample's, read exactly) is kept when later windows cannot estimate it.
      for (const s of p.samples) {
        const t = Date.parse(s.time);
        byTime.set(t, {lag: s.lag, lagSeconds: s.lagSeconds ?? byTime.get(t)?.lagSeconds});
      }
      for (const t of byTime.keys()) {
        if (byTime.size <= MAX_POINTS) break;
        byTime.delete(t); // Maps keep insertion order: the oldest go first
      }
    }
  }

  /** Lines per topic (lag summed, time lag the worst partition's) or per partition. */
  function chartData() {
    const parts = [...samples.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    const lines = [];
    for (const p of parts) {
      const label = per === 'topic' ? p.topic : `${p.topic}-${p.partition}`;
      const line = lines.find(l => l.label === label);
      if (line) line.parts.push(p); else lines.push({label, parts: [p]});
    }
    const times = [...new Set(parts.flatMap(p => [...p.byTime.keys()]))].sort((a, b) => a - b);
    const fold = (line, pick, combine) => times.map(t => line.parts.reduce((acc, p) => {
      const v = p.byTime.get(t)?.[pick];
      return v == null ? acc : acc == null ? v : combine(acc, v);
    }, null));
    const x = times.map(t => t / 1000);
    return {
      labels: lines.map(l => l.label),
      lag: [x, ...lines.map(l => fold(l, 'lag', (a, b) => a + b))],
      timeLag: [x, ...lines.map(l => fold(l, 'lagSeconds', Math.max))],
    };
  }

  function makeChart(container, labels, data, format) {
    return new uPlot({
      width: Math.max(300, container.clientWidth),
      height: 240,
      scales: {x: {time: true}, y: {range: (u, min, max) => [0, Math.max(1, (max ?? 0) * 1.1)]}},
      axes: [{}, {size: 64, values: (u, ticks) => ticks.map(format)}],
      series: [{}, ...labels.map((label, i) => ({
        label, stroke: PALETTE[i % PALETTE.length], width: 2, points: {show: true, size: 5},
        value: (u, v) => format(v),
      }))],
    }, data, container);
  }

  function renderCharts() {
    const data = chartData();
    const specs = [['lag', 'lag-chart', number], ['timeLag', 'time-lag-chart', duration]];
    for (const [name, id, format] of specs) {
      const chart = charts[name];
      if (chart && chart.series.length - 1 === data.labels.length
          && data.labels.every((label, i) => chart.series[i + 1].label === label)) {
        chart.setData(data[name]);
      } else {
        chart?.destroy();
        charts[name] = makeChart(document.getElementById(id), data.labels, data[name], format);
      }
    }
    const x = data.lag[0];
    document.getElementById('history-span').textContent = x.length
      ? `${x.length} samples over ${duration(x[x.length - 1] - x[0])}` : 'no samples yet';
    window.kgroupsCharts = charts; // for the browser test, and for a look from the console
  }

  new ResizeObserver(() => {
    for (const [name, id] of [['lag', 'lag-chart'], ['timeLag', 'time-lag-chart']]) {
      charts[name]?.setSize({width: Math.max(300, document.getElementById(id).clientWidth), height: 240});
    }
  }).observe(document.querySelector('.charts'));

  document.querySelectorAll('input[name="per"]').forEach(radio => radio.addEventListener('change', e => {
    per = e.target.value;
    renderCharts();
  }));

  function renderSummary(g) {
    const topics = [...new Set(g.partitions.map(p => p.topic))];
    const item = (label, value) => el('div', {}, el('span', {text: label}), el('b', {}, value));
    // replaceChildren writes a null as the text "null": the cluster item only where there is a cluster
    document.getElementById('summary').replaceChildren(...[
      el('h1', {text: g.group}), badge(g.status), g.cluster ? item('cluster', g.cluster) : null,
      item('type', typeBadge(g.type)), item('state', g.state), item('lag', number(g.totalLag)), item('time lag', duration(g.maxLagSeconds)),
      item('members', g.members), item('partitions', g.partitions.length), item('topics', topics.join(', '))].filter(Boolean));
    const reasons = g.reasons.length ? g.reasons.map(r => el('li', {text: r}))
      : [el('li', {class: 'muted', text: 'No partition is behind: lag shrank or stayed within what is allowed across the window.'})];
    document.getElementById('reasons').replaceChildren(...reasons);
  }

  function table(headers, rows, empty) {
    const head = el('tr', {}, headers.map(([label, num]) => el('th', {class: num ? 'num' : null, text: label})));
    if (rows.length === 0) rows = [el('tr', {}, el('td', {colspan: headers.length, class: 'muted', text: empty}))];
    return el('table', {}, el('thead', {}, head), el('tbody', {}, rows));
  }

  /** Kafka reports a member's address as Java prints it, "/10.0.0.5". */
  function host(member) {
    return member.host.replace(/^\//, '');
  }

  /** What the figures of a type mean where they are not a consumer group's: one line above the partitions. */
  const PARTITION_NOTES = {
    share: 'A share group commits no offset. Start offset: its lowest offset not yet delivery-complete. Lag: the '
      + 'broker\'s count of records not yet delivery-complete (KIP-1226: not yet acknowledged, rejected or archived), '
      + 'not log-end minus the start offset, since members acknowledge out of order. Time lag: the age of the record at '
      + 'the start offset.',
    streams: 'Offsets a streams group commits on its input topics (source and repartition topics); the members below '
      + 'hold them through their active tasks.',
  };

  function renderPartitions(g) {
    const share = g.type === 'share';
    const members = new Map(g.memberDetails.map(m => [m.memberId, m]));
    const name = m => `${m.clientId}@${host(m)}`;
    // A share group hands a partition to several members at once: they are its owners.
    const holders = p => g.memberDetails.filter(m => m.assignment.some(a => a.topic === p.topic && a.partition === p.partition));
    const rows = g.partitions.map(p => {
      const owner = members.get(p.memberId);
      const owners = share ? holders(p) : owner ? [owner] : [];
      return el('tr', {'data-tp': `${p.topic}-${p.partition}`},
        el('td', {text: p.topic}), el('td', {class: 'num', text: p.partition}),
        el('td', {title: p.reason || ''}, badge(p.status)),
        share ? el('td', {class: 'num start', text: number(p.startOffset)})
          : el('td', {class: 'num committed', text: number(p.committedOffset)}),
        el('td', {class: 'num log-end', text: number(p.logEndOffset)}),
        el('td', {class: 'num lag', 'data-lag': p.lag, text: number(p.lag)}),
        el('td', {class: 'num', text: duration(p.lagSeconds)}),
        el('td', {class: 'owner', title: owners.map(m => m.memberId).join('\n') || p.memberId || '',
          text: owners.length ? owners.map(name).join(', ') : p.memberId ? p.memberId : '–'}),
        el('td', {class: 'wrap muted', text: p.reason || ''}));
    });
    const note = document.getElementById('partitions-note');
    note.hidden = !PARTITION_NOTES[g.type];
    note.textContent = PARTITION_NOTES[g.type] || '';
    document.getElementById('partitions').replaceChildren(table(
      [['topic'], ['partition', true], ['status'], share ? ['start offset', true] : ['committed', true], ['log-end', true],
        [share ? 'lag (broker)' : 'lag', true], ['time lag', true], [share ? 'members' : 'owner'], ['why']], rows,
      'The group has no offsets and no assigned partitions.'));
  }

  /** A member's partitions, by topic: "orders: 0, 1, 2; billing: 0" (the API lists {topic, partition}, sorted). */
  function assignment(member) {
    const byTopic = new Map();
    for (const {topic, partition} of member.assignment) byTopic.set(topic, [...(byTopic.get(topic) || []), partition]);
    return [...byTopic].map(([topic, parts]) => `${topic}: ${parts.join(', ')}`).join('; ');
  }

  function renderMembers(g) {
    // A streams member's work is its tasks (<subtopology>_<partition>); its assignment is what the active ones read.
    const streams = g.type === 'streams';
    const tasks = list => list && list.length ? list.join(', ') : '–';
    const rows = g.memberDetails.map(m => el('tr', {'data-member': m.memberId},
      el('td', {text: m.clientId}), el('td', {text: host(m)}), el('td', {text: m.groupInstanceId || '–'}),
      streams ? [el('td', {class: 'wrap tasks active', text: tasks(m.tasks?.active)}),
        el('td', {class: 'wrap tasks standby', text: tasks(m.tasks?.standby)}),
        el('td', {class: 'wrap tasks warmup', text: tasks(m.tasks?.warmup)})] : null,
      el('td', {class: 'wrap', text: assignment(m) || 'nothing'}),
      el('td', {class: 'mono muted', text: m.memberId})));
    document.getElementById('members').replaceChildren(table(
      [['client id'], ['host'], ['instance id'], ...(streams ? [['active tasks'], ['standby tasks'], ['warm-up tasks']] : []),
        [streams ? 'input partitions' : 'assignment'], ['member id']], rows,
      'No members: no consumer of this group is running.'));
  }

  /** The membership changes of the storm window, newest first: who came and went, and the epoch after. */
  function renderRebalances(g) {
    const r = g.rebalances;
    const note = document.getElementById('rebalances-note');
    note.textContent = `${number(r.total)} since the monitor first saw the group.` + (r.storm ? ` ${r.storm}` : '');
    note.classList.toggle('error', !!r.storm);
    const names = list => list.length ? list.join(', ') : '–';
    const rows = [...r.recent].reverse().map(c => el('tr', {},
      el('td', {text: new Date(c.time).toLocaleTimeString()}), el('td', {class: 'num', text: c.rebalances}),
      el('td', {class: 'wrap came', text: names(c.joined)}), el('td', {class: 'wrap went', text: names(c.left)}),
      el('td', {class: 'num', text: c.epoch === null ? '–' : c.epoch})));
    document.getElementById('rebalances').replaceChildren(table(
      [['time'], ['changes', true], ['came'], ['went'], ['epoch', true]], rows,
      'No member came or went in the storm window.'));
  }

  function addTopicOptions(g) {
    const select = document.getElementById('reset-topic');
    const have = new Set([...select.options].map(o => o.value));
    for (const topic of [...new Set(g.partitions.map(p => p.topic))].sort()) {
      if (!have.has(topic)) select.append(el('option', {value: topic, text: `--topic ${topic}`}));
    }
  }

  const spec = document.getElementById('reset-spec');
  const value = document.getElementById('reset-value');
  spec.addEventListener('change', () => {
    const hint = spec.selectedOptions[0].dataset.hint;
    value.disabled = !hint;
    value.placeholder = hint || '';
    if (!hint) value.value = '';
  });

  function command(label, text) {
    return el('div', {class: 'command'}, el('span', {class: 'muted', text: label}), el('code', {text}),
      el('button', {class: 'small', type: 'button', onclick: () => navigator.clipboard?.writeText(text)}, 'copy'));
  }

  function renderPlan(answer) {
    const plan = answer.data;
    const rows = plan.partitions.map(p => el('tr', {'data-tp': `${p.topic}-${p.partition}`},
      el('td', {text: p.topic}), el('td', {class: 'num', text: p.partition}),
      el('td', {class: 'num current', text: number(p.currentOffset)}),
      el('td', {class: 'num target', 'data-offset': p.targetOffset, text: number(p.targetOffset) + (p.clamped ? ' (clamped)' : '')}),
      el('td', {class: 'num', text: p.delta == null ? '–' : (p.delta > 0 ? '+' : '') + number(p.delta)}),
      el('td', {text: p.words}), el('td', {class: 'num', text: duration(p.spanSeconds)})));
    const notes = [
      ...answer.warnings.map(w => el('p', {class: 'error', text: `warning: ${w}`})),
      el('p', {text: `In total: ${number(plan.recordsReadAgain)} records will be read again, ${number(plan.recordsSkipped)} skipped.`}),
    ];
    if (plan.activeMembers > 0) {
      notes.push(el('p', {class: 'error', text: `The group has ${plan.activeMembers} active member(s): kgroups refuses to execute `
        + 'a reset until they stop (or add --wait-for-empty DURATION).'}));
    }
    document.getElementById('reset-result').replaceChildren(
      el('div', {class: 'table-card', id: 'reset-plan'}, table(
        [['topic'], ['partition', true], ['current', true], ['target', true], ['delta', true], ['what'], ['span', true]],
        rows, 'Nothing to reset.')),
      ...notes,
      command('dry run:', plan.dryRunCommand),
      command('to execute:', plan.executeCommand));
  }

  document.getElementById('reset-form').addEventListener('submit', async e => {
    e.preventDefault();
    const query = new URLSearchParams({spec: spec.value});
    if (!value.disabled) query.set('value', value.value);
    const topic = document.getElementById('reset-topic').value;
    if (topic) query.set('topic', topic);
    const result = document.getElementById('reset-result');
    result.replaceChildren(el('p', {class: 'muted', text: 'Planning…'}));
    try {
      renderPlan(await KG.getJson(`${api}/reset-plan?${name}&${query}`));
    } catch (error) {
      result.replaceChildren(el('p', {class: 'error', id: 'reset-error', text: error.message}));
    }
  });

  KG.live(async () => {
    const [status, answer, history] = await Promise.all([KG.getJson('api/status'),
      KG.getJson(`${api}?${name}`).catch(e => ({error: e.message})), KG.getJson(`${api}/history?${name}`).catch(() => null)]);
    if (answer.error) {
      document.getElementById('summary').replaceChildren(el('h1', {text: group}),
        el('span', {class: 'error', text: `${answer.error}: it may have been deleted, or be left out by the monitor's --groups / --exclude.`}));
      return status;
    }
    const g = answer.data;
    renderSummary(g);
    renderPartitions(g);
    renderMembers(g);
    renderRebalances(g);
    addTopicOptions(g);
    if (history) {
      merge(history.data);
      renderCharts();
    }
    return status;
  });
})();
