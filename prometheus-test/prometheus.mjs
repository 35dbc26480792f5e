// The Prometheus test's checks, against Prometheus' HTTP API (node prometheus.mjs COMMAND ...; ./run
// calls them). Each exits 0 when the check passes, else 1 saying why on stderr.
//   up PROMETHEUS                         up{job="kgroups"} == 1: a scrape of the monitor succeeded
//   series PROMETHEUS QUERY               the query returns at least one series
//   families PROMETHEUS METRICS_FILE      every metric with samples in the text (a /metrics page) is in Prometheus
//   alert PROMETHEUS ALERTNAME GROUP      the alert is firing for the group, its annotations rendered
//   no-alert PROMETHEUS ALERTNAME GROUP   the alert is neither pending nor firing for the group
//   expr PROMETHEUS ALERTNAME GROUP...    the alert rule's expr, as a query now, returns these groups and no other
//   panels PROMETHEUS DASHBOARD GROUP     every panel query of the Grafana dashboard returns series
//   rules PROMETHEUS RULES_FILE           every rule of the file is loaded, healthy, and its expr a valid query
//   webhook-receiver PORT_FILE            answers 204 to every POST, prints each body, writes its port
import {readFileSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:http';

const [command, ...args] = process.argv.slice(2);

function fail(message) {
  console.error(`prometheus-test: ${message}`);
  process.exit(1);
}

async function api(prometheus, path, params = {}) {
  const url = `${prometheus}${path}?${new URLSearchParams(params)}`;
  const response = await fetch(url);
  const body = await response.json().catch(() => ({status: 'error', error: `HTTP ${response.status}, not JSON`}));
  return body;
}

async function query(prometheus, expr) {
  return api(prometheus, '/api/v1/query', {query: expr});
}

/** The alerts of ALERTNAME for GROUP that are pending or firing. */
async function active(prometheus, alertname, group) {
  const body = await api(prometheus, '/api/v1/alerts');
  if (body.status !== 'success') {
    fail(`/api/v1/alerts: ${body.error}`);
  }
  return body.data.alerts.filter(a => a.labels.alertname === alertname && a.labels.group === group
      && (a.state === 'pending' || a.state === 'firing'));
}

/** Every panel of the dashboard, those inside rows too. */
function panelsOf(dashboard) {
  const all = [];
  const walk = panels => {
    for (const panel of panels ?? []) {
      all.push(panel);
      walk(panel.panels);
    }
  };
  walk(dashboard.panels);
  return all;
}

/** A label value as a regular expression matching just it (what Grafana does with a variable's value). */
function regexEscape(value) {
  return value.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/**
 * What Grafana puts in place of the dashboard's variables: the group (as a regex), every cluster,
 * and the two built-in intervals, concrete values that the test's few minutes of data fill.
 */
function substitute(expr, group) {
  const values = {group: regexEscape(group), cluster: '.*', __range: '5m', __rate_interval: '1m', __interval: '15s'};
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (whole, braced, bare) => {
    const name = braced ?? bare;
    if (!(name in values)) {
      fail(`unknown variable ${whole} in: ${expr}`);
    }
    return values[name];
  });
}

/** The dashboard's shape: what Grafana needs to import it with a Prometheus of one's own. */
function checkDashboard(dashboard) {
  const problems = [];
  const variables = Object.fromEntries((dashboard.templating?.list ?? []).map(v => [v.name, v]));
  if (variables.datasource?.type !== 'datasource' || variables.datasource.query !== 'prometheus') {
    problems.push('no datasource variable of type prometheus');
  }
  const groupQuery = variables.group?.definition ?? '';
  if (!/^label_values\(kgroups_group_lag(\{.*\})?, *group\)$/.test(groupQuery)) {
    problems.push(`the group variable is not label_values(kgroups_group_lag, group): ${groupQuery}`);
  }
  const ids = new Set();
  for (const panel of panelsOf(dashboard)) {
    if (ids.has(panel.id)) {
      problems.push(`panel id ${panel.id} twice`);
    }
    ids.add(panel.id);
    if (panel.type === 'row') {
      continue;
    }
    if (!panel.targets?.length) {
      problems.push(`panel "${panel.title}" has no queries`);
    }
    if (panel.datasource?.uid !== '${datasource}') {
      problems.push(`panel "${panel.title}" does not use the datasource variable`);
    }
    for (const t of panel.targets ?? []) {
      if (!t.expr) {
        problems.push(`panel "${panel.title}" target ${t.refId} has no expr`);
      }
    }
  }
  return problems;
}

switch (command) {
  case 'up': {
    const body = await query(args[0], 'up{job="kgroups"} == 1');
    if (body.status !== 'success' || body.data.result.length === 0) {
      const targets = await api(args[0], '/api/v1/targets');
      fail(`no successful scrape of job kgroups; targets: ${JSON.stringify(targets.data?.activeTargets?.map(t =>
          ({scrapeUrl: t.scrapeUrl, health: t.health, lastError: t.lastError})))}`);
    }
    break;
  }
  case 'series': {
    const body = await query(args[0], args[1]);
    if (body.status !== 'success' || body.data.result.length === 0) {
      fail(`no series: ${args[1]} (${body.status}${body.error ? ': ' + body.error : ''})`);
    }
    break;
  }
  case 'families': {
    // Prometheus takes /metrics gzip-compressed: the monitor sends the page and the per-request series
    // (webhooks, logins, the page's own size) as two gzip members, which a scraper must read both of.
    const [prometheus, file] = args;
    const names = [...new Set(readFileSync(file, 'utf8').split('\n')
        .filter(line => line && !line.startsWith('#')).map(line => line.split(/[{ ]/)[0]))];
    const missing = [];
    for (const name of names) {
      const body = await query(prometheus, `count({__name__="${name}", job="kgroups"})`);
      if (body.status !== 'success' || body.data.result.length === 0) {
        missing.push(name);
      }
    }
    if (missing.length > 0) {
      fail(`not in Prometheus: ${missing.join(', ')}`);
    }
    console.log(`Prometheus has all ${names.length} metrics of the page`);
    break;
  }
  case 'alert': {
    const [prometheus, alertname, group] = args;
    const alerts = (await active(prometheus, alertname, group)).filter(a => a.state === 'firing');
    if (alerts.length === 0) {
      const all = (await api(prometheus, '/api/v1/alerts')).data.alerts;
      fail(`${alertname} is not firing for ${group}; active alerts: ${JSON.stringify(all.map(a =>
          ({alertname: a.labels.alertname, group: a.labels.group, state: a.state})))}`);
    }
    const a = alerts[0];
    if (!a.labels.severity || !a.annotations.summary?.includes(group) || !a.annotations.description?.includes(group)) {
      fail(`${alertname} for ${group} lacks its severity or annotations: ${JSON.stringify(a)}`);
    }
    console.log(`${alertname} ${a.state} for ${group} since ${a.activeAt}: ${a.annotations.summary}`);
    break;
  }
  case 'expr': {
    const [prometheus, alertname, ...groups] = args;
    const body = await api(prometheus, '/api/v1/rules', {type: 'alert'});
    const rule = body.data?.groups.flatMap(g => g.rules).find(r => r.name === alertname);
    if (!rule) {
      fail(`no rule ${alertname} loaded`);
    }
    const result = await query(prometheus, rule.query);
    const got = (result.data?.result ?? []).map(r => r.metric.group).sort();
    if (result.status !== 'success' || JSON.stringify(got) !== JSON.stringify([...groups].sort())) {
      fail(`${alertname}'s expr returns groups ${JSON.stringify(got)}, not ${JSON.stringify(groups)}: ${rule.query}`);
    }
    console.log(`${alertname}'s expr returns ${got.join(', ')}`);
    break;
  }
  case 'no-alert': {
    const [prometheus, alertname, group] = args;
    const alerts = await active(prometheus, alertname, group);
    if (alerts.length > 0) {
      fail(`${alertname} is ${alerts[0].state} for ${group}, which it should not be: ${JSON.stringify(alerts[0])}`);
    }
    break;
  }
  case 'panels': {
    const [prometheus, file, group] = args;
    const dashboard = JSON.parse(readFileSync(file, 'utf8'));
    const problems = checkDashboard(dashboard);
    let queries = 0;
    for (const panel of panelsOf(dashboard)) {
      for (const target of panel.targets ?? []) {
        if (!target.expr) {
          continue;
        }
        const expr = substitute(target.expr, group);
        const body = await query(prometheus, expr);
        queries++;
        if (body.status !== 'success') {
          problems.push(`panel "${panel.title}" ${target.refId}: ${body.errorType}: ${body.error}\n    ${expr}`);
        } else if (body.data.result.length === 0) {
          problems.push(`panel "${panel.title}" ${target.refId}: no series\n    ${expr}`);
        } else {
          console.log(`  ok ${String(body.data.result.length).padStart(3)} series  ${panel.title} ${target.refId}: ${expr}`);
        }
      }
    }
    if (problems.length > 0) {
      fail(`the dashboard (${queries} queries):\n  ${problems.join('\n  ')}`);
    }
    console.log(`every one of the dashboard's ${queries} queries returns series`);
    break;
  }
  case 'rules': {
    const [prometheus, file] = args;
    // The rules as Prometheus loaded them from the file: their names and exprs are the file's.
    const body = await api(prometheus, '/api/v1/rules');
    if (body.status !== 'success') {
      fail(`/api/v1/rules: ${body.error}`);
    }
    const rules = body.data.groups.flatMap(g => g.rules);
    const inFile = (readFileSync(file, 'utf8').match(/^\s*- (alert|record):/gm) ?? []).length;
    const problems = [];
    if (rules.length !== inFile) {
      problems.push(`Prometheus loaded ${rules.length} rules, the file has ${inFile}`);
    }
    for (const rule of rules) {
      if (rule.health !== 'ok') {
        problems.push(`${rule.name}: health ${rule.health} ${rule.lastError ?? ''}`);
      }
      const result = await query(prometheus, rule.query);
      if (result.status !== 'success') {
        problems.push(`${rule.name}: ${result.errorType}: ${result.error}\n    ${rule.query}`);
      } else {
        console.log(`  ok ${String(result.data.result.length).padStart(3)} series  ${rule.name} (${rule.state ?? rule.type})`);
      }
    }
    if (problems.length > 0) {
      fail(`the rules:\n  ${problems.join('\n  ')}`);
    }
    console.log(`all ${rules.length} rules loaded, healthy, and valid queries`);
    break;
  }
  case 'webhook-receiver': {
    const server = createServer((request, response) => {
      const chunks = [];
      request.on('data', c => chunks.push(c));
      request.on('end', () => {
        console.log(`${request.method} ${request.url} ${Buffer.concat(chunks).toString('utf8')}`);
        response.writeHead(request.method === 'POST' ? 204 : 405).end();
      });
    });
    server.listen(0, '127.0.0.1', () => writeFileSync(args[0], String(server.address().port)));
    break;
  }
  default:
    fail(`unknown command ${command}`);
}
