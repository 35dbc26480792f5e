// The dashboard of `kgroups monitor` in Debian's Chromium, driven by playwright-core. ./run
// starts the broker and the monitor and passes them in the environment: KGROUPS_JAR,
// BOOTSTRAP, MONITOR_URL, MONITOR_CREDENTIALS (user:password of the monitor's basic auth), OUT
// (where screenshots and logs go), CHROMIUM, BROKER_PID (the last test stops the broker),
// STREAMS_CLASSPATH (Kafka Streams' jars, for the set-up program's streams group).
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {execFile, spawn} from 'node:child_process';
import {once} from 'node:events';
import {rmSync, writeFileSync} from 'node:fs';
import {promisify} from 'node:util';
import {chromium} from 'playwright-core';

const {KGROUPS_JAR, BOOTSTRAP, MONITOR_URL, MONITOR_CREDENTIALS, OUT, CHROMIUM, BROKER_PID, STREAMS_CLASSPATH} = process.env;
const [MONITOR_USER, MONITOR_PASSWORD] = [MONITOR_CREDENTIALS.slice(0, MONITOR_CREDENTIALS.indexOf(':')),
  MONITOR_CREDENTIALS.slice(MONITOR_CREDENTIALS.indexOf(':') + 1)];
const AUTHORIZATION = `Basic ${Buffer.from(MONITOR_CREDENTIALS).toString('base64')}`;
// Markup that would run a script were the dashboard to take a name as HTML (LaggingGroup.HOSTILE_GROUP).
const HOSTILE_GROUP = '<img src=x onerror=window.__xss=1><script>window.__xss=2</script>';
const GROUP = 'storage_loader';
const SHARE_GROUP = 'dash_sharers';
const STREAMS_GROUP = 'dash_streams';

/** Runs the kgroups command (the built jar) and returns the data of the JSON envelope it printed. */
async function kgroups(...args) {
  const {stdout} = await promisify(execFile)('java', ['-jar', KGROUPS_JAR, ...args, '--bootstrap-server', BOOTSTRAP,
    '--output', 'json'], {timeout: 60_000});
  return JSON.parse(stdout).data;
}

/** GETs an endpoint of the monitor's API and returns the data of its envelope. */
async function api(path) {
  return (await (await fetch(`${MONITOR_URL}${path}`, {headers: {Authorization: AUTHORIZATION}})).json()).data;
}

/** Polls `check` until it returns without throwing (what it returns), or throws its last error after `ms`. */
async function eventually(check, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise(resolve => setTimeout(resolve, 200)); // the polling interval, not a wait for a condition
    }
  }
}

/** The set-up program: makes the groups, then keeps their members (storage_loader's, the share and streams groups') until killed. */
function startLaggingGroup() {
  const child = spawn('java', ['-cp', `${KGROUPS_JAR}:${STREAMS_CLASSPATH}`,
    new URL('LaggingGroup.java', import.meta.url).pathname, BOOTSTRAP, MONITOR_URL],
    {stdio: ['ignore', 'pipe', 'inherit'], env: {...process.env, MONITOR_CREDENTIALS}});
  writeFileSync(`${OUT}/lagging-group.pid`, String(child.pid)); // ./run ends it if this script could not
  const ready = new Promise((resolve, reject) => {
    child.stdout.on('data', chunk => { if (String(chunk).includes('ready')) resolve(); });
    child.on('exit', code => reject(new Error(`LaggingGroup.java exited with ${code} before it was ready`)));
  });
  return {child, ready};
}

test('the dashboard of kgroups monitor', {timeout: 240_000}, async t => {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  // The monitor asks for basic auth: the browser answers as a person would, once, for every page and fetch.
  const page = await browser.newPage({viewport: {width: 1366, height: 900},
    httpCredentials: {username: MONITOR_USER, password: MONITOR_PASSWORD}});
  // What the Content-Security-Policy blocked: nothing of the dashboard's own.
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  // Nothing may come from anywhere but the monitor (no CDN), and no script may fail.
  const problems = [];
  page.on('pageerror', e => problems.push(`page error: ${e.message}`));
  page.on('console', m => { if (m.type() === 'error' && !m.text().includes('400')) problems.push(`console: ${m.text()}`); });
  page.on('request', r => { if (!r.url().startsWith(MONITOR_URL) && !r.url().startsWith('data:')) problems.push(`outside request: ${r.url()}`); });
  let setup;
  try {
    await t.test('an empty cluster shows how to get a group, not a blank page', async () => {
      await page.goto(`${MONITOR_URL}/`);
      await page.getByText('No consumer groups yet').waitFor();
      assert.match(await page.locator('.empty').innerText(), /\.\/kgroups demo/);
      await page.screenshot({path: `${OUT}/1-overview-empty.png`, fullPage: true});
    });

    await t.test('the overview lists the lagging group with its status, live, without a reload', async () => {
      setup = startLaggingGroup();
      await setup.ready;
      const row = page.locator(`tr[data-group="${GROUP}"]`);
      await row.waitFor();
      // The status the page shows is the monitor's (it moves from WARNING to STALLED as the window fills).
      await eventually(async () => {
        const served = await api(`/api/groups/${GROUP}`);
        assert.equal(await row.locator('.badge').innerText(), served.status.replace('_', ' '));
        assert.equal(await row.locator('td.lag').innerText(), served.totalLag.toLocaleString('en-US'));
        assert.equal(served.totalLag, 90);
      });
      assert.equal(await page.locator('tr[data-group="billing_loader"] .badge').innerText(), 'OK');
      assert.equal(await page.locator('.count[data-status="all"] b').innerText(), '5');
      assert.equal(await page.locator('#banner').isVisible(), false);
      assert.match(await page.locator('#live').innerText(), /^sampled \d+s ago/);
      await page.locator('#filter').fill('billing');
      await eventually(async () => assert.deepEqual(
        await page.locator('tbody tr').evaluateAll(rows => rows.map(r => r.dataset.group)), ['billing_loader']));
      await page.locator('#filter').fill('');
      await eventually(async () => assert.equal(await page.locator('tbody tr').count(), 5));
      await page.screenshot({path: `${OUT}/2-overview.png`, fullPage: true});
    });

    await t.test("the overview shows each group's type and filters by it", async () => {
      const served = Object.fromEntries((await api('/api/groups')).groups.map(g => [g.group, g.type]));
      assert.equal(served[SHARE_GROUP], 'share');
      assert.equal(served[STREAMS_GROUP], 'streams');
      for (const [group, type] of Object.entries(served)) {
        assert.equal(await page.locator(`tr[data-group="${group}"] .type`).innerText(), type, group);
      }
      const shown = () => page.locator('tbody tr').evaluateAll(rows => rows.map(r => r.dataset.group));
      await page.locator('#type-filter').selectOption('share');
      await eventually(async () => assert.deepEqual(await shown(), [SHARE_GROUP]));
      await page.locator('#type-filter').selectOption('streams');
      await eventually(async () => assert.deepEqual(await shown(), [STREAMS_GROUP]));
      await page.screenshot({path: `${OUT}/2b-overview-streams.png`, fullPage: true});
      await page.locator('#type-filter').selectOption('');
      await eventually(async () => assert.equal((await shown()).length, 5));
    });

    await t.test('the group page draws lag over time with points in it', async () => {
      await page.locator(`a:text-is("${GROUP}")`).click();
      await page.waitForURL(/group\.html\?group=storage_loader/);
      const points = () => page.evaluate(() => {
        const chart = window.kgroupsCharts?.lag;
        return chart ? chart.data.slice(1).map(series => series.filter(v => v != null).length) : [];
      });
      // One line (topic orders) in each chart, with a point per round at least.
      await eventually(async () => assert.ok((await points())[0] >= 5, `points: ${await points()}`));
      const timeLagPoints = await page.evaluate(() => window.kgroupsCharts.timeLag.data[1].filter(v => v != null).length);
      assert.ok(timeLagPoints >= 2, `time lag points: ${timeLagPoints}`);
      // Pixels of the line's colour on the canvas: it is drawn, not only given data.
      const drawn = await page.evaluate(() => {
        const canvas = document.querySelector('#lag-chart canvas');
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let count = 0;
        for (let i = 0; i < pixels.length; i += 4) {
          if (Math.abs(pixels[i] - 0x1f) < 30 && Math.abs(pixels[i + 1] - 0x77) < 30 && Math.abs(pixels[i + 2] - 0xb4) < 30) count++;
        }
        return count;
      });
      assert.ok(drawn > 50, `pixels of the lag line: ${drawn}`);
      await page.locator('input[name="per"][value="partition"]').check();
      assert.deepEqual(await page.evaluate(() => window.kgroupsCharts.lag.series.slice(1).map(s => s.label)),
        ['orders-0', 'orders-1', 'orders-2']);
      assert.match(await page.locator('#reasons').innerText(), /orders-\d (WARNING|STALLED|STOPPED)/);
    });

    await t.test('the partition table shows the lag kgroups describe reports, and the owner', async () => {
      const described = (await kgroups('describe', GROUP))[0];
      assert.equal(described.partitions.length, 3);
      await eventually(async () => {
        for (const p of described.partitions) {
          const row = page.locator(`#partitions tr[data-tp="${p.topic}-${p.partition}"]`);
          assert.equal(Number(await row.locator('td.lag').getAttribute('data-lag')), p.lag);
          assert.match(await row.locator('td').nth(7).innerText(), /^storage-loader-1@/);
        }
      });
      assert.match(await page.locator('#members').innerText(), /storage-loader-1[\s\S]*orders: 0, 1, 2/);
      // its membership changes, as the API counts them: a steady member, so no storm
      assert.doesNotMatch(await page.locator('#summary').innerText(), /null|undefined/);
      const rebalances = (await api(`/api/groups/${GROUP}`)).rebalances;
      assert.equal(rebalances.storm, null);
      assert.match(await page.locator('#rebalances-note').innerText(), /\d+ since the monitor first saw the group\./);
      assert.match(await page.locator('#rebalances thead').innerText(), /TIME\s+CHANGES\s+CAME\s+WENT\s+EPOCH/);
      await page.screenshot({path: `${OUT}/3-group.png`, fullPage: true});
    });

    await t.test('the reset preview shows the plan of kgroups reset, and the command that runs it', async () => {
      await page.locator('#reset-spec').selectOption('--to-earliest');
      await page.locator('#reset-topic').selectOption('orders');
      await page.getByRole('button', {name: 'Preview'}).click();
      await page.locator('#reset-plan tbody tr[data-tp]').first().waitFor();
      const shown = await page.locator('#reset-plan tbody tr[data-tp]').evaluateAll(rows => rows.map(r =>
        `${r.dataset.tp} -> ${r.querySelector('.target').dataset.offset}`));
      const dryRun = await page.locator('.command code').first().innerText();
      assert.equal(dryRun, `kgroups reset ${GROUP} --topic orders --to-earliest`);
      assert.equal(await page.locator('.command code').nth(1).innerText(), `${dryRun} --execute`);
      // The command as shown, run: the same plan (a dry run: nothing changes).
      const cli = await kgroups(...dryRun.split(' ').slice(1));
      assert.equal(cli.executed, false);
      assert.deepEqual(shown, cli.partitions.map(p => `${p.topic}-${p.partition} -> ${p.targetOffset}`));
      assert.deepEqual(shown, ['orders-0 -> 0', 'orders-1 -> 0', 'orders-2 -> 0']);
      assert.match(await page.locator('#reset-result').innerText(), /In total: 60 records will be read again/);
      await page.locator('#reset-result').scrollIntoViewIfNeeded();
      await page.screenshot({path: `${OUT}/4-reset-preview.png`, fullPage: true});

      await page.locator('#reset-spec').selectOption('--to-offset');
      await page.locator('#reset-value').fill('ten');
      await page.getByRole('button', {name: 'Preview'}).click();
      assert.equal(await page.locator('#reset-error').innerText(), "--to-offset 'ten' is not a whole number");
    });

    await t.test("a share group's page shows its start offset, the broker's lag and what that lag means", async () => {
      const described = (await kgroups('describe', SHARE_GROUP))[0];
      await page.goto(`${MONITOR_URL}/group.html?group=${SHARE_GROUP}`);
      const row = page.locator('#partitions tr[data-tp="jobs-0"]');
      await row.waitFor();
      const p = described.partitions[0];
      assert.deepEqual([p.startOffset, p.lag, p.logEndOffset], [4, 5, 10]);
      assert.equal(await row.locator('td.start').innerText(), String(p.startOffset));
      assert.equal(Number(await row.locator('td.lag').getAttribute('data-lag')), p.lag);
      assert.equal(await row.locator('td.log-end').innerText(), String(p.logEndOffset));
      assert.match(await row.locator('td.owner').innerText(), /^job-runner-1@/);
      assert.deepEqual(await page.locator('#partitions th').allInnerTexts(),
        ['TOPIC', 'PARTITION', 'STATUS', 'START OFFSET', 'LOG-END', 'LAG (BROKER)', 'TIME LAG', 'MEMBERS', 'WHY']);
      assert.match(await page.locator('#partitions-note').innerText(), /not yet delivery-complete .*not log-end minus the start offset/);
      assert.match(await page.locator('#summary').innerText(), /type\s+share/);
      await page.screenshot({path: `${OUT}/5-share-group.png`, fullPage: true});
    });

    await t.test("a streams group's page shows its members' active, standby and warm-up tasks", async () => {
      const described = (await kgroups('describe', STREAMS_GROUP))[0];
      await page.goto(`${MONITOR_URL}/group.html?group=${STREAMS_GROUP}`);
      const member = described.memberDetails[0];
      const row = page.locator(`#members tr[data-member="${member.memberId}"]`);
      await row.waitFor();
      assert.deepEqual(member.tasks.active, ['0_0', '0_1']);
      assert.equal(await row.locator('td.active').innerText(), member.tasks.active.join(', '));
      assert.equal(await row.locator('td.standby').innerText(), '–');
      assert.equal(await row.locator('td.warmup').innerText(), '–');
      assert.match(await page.locator('#members thead').innerText(), /ACTIVE TASKS\s+STANDBY TASKS\s+WARM-UP TASKS\s+INPUT PARTITIONS/);
      for (const p of described.partitions) {
        const tp = page.locator(`#partitions tr[data-tp="${p.topic}-${p.partition}"]`);
        assert.equal(await tp.locator('td.committed').innerText(), String(p.committedOffset));
      }
      assert.match(await page.locator('#partitions-note').innerText(), /input topics/);
      await page.screenshot({path: `${OUT}/5b-streams-group.png`, fullPage: true});
    });

    await t.test('a group named with markup is shown as text, and no script of it runs', async () => {
      const response = await page.goto(`${MONITOR_URL}/`);
      assert.match(response.headers()['content-security-policy'], /script-src 'self';.*frame-ancestors 'none'/);
      assert.equal(response.headers()['x-content-type-options'], 'nosniff');
      const row = page.locator('#groups-table tbody tr').filter({has: page.locator(`a:text-is("${HOSTILE_GROUP}")`)});
      await row.waitFor();
      assert.equal(await row.getAttribute('data-group'), HOSTILE_GROUP);
      await row.locator('a').click();
      await page.waitForURL(/group\.html\?group=/);
      await eventually(async () => assert.equal(await page.locator('#summary h1').innerText(), HOSTILE_GROUP));
      assert.equal(await page.title(), `kgroups · ${HOSTILE_GROUP}`);
      await page.locator('#partitions tr[data-tp="jobs-0"]').waitFor();
      // Its reset preview too: the command shown holds the name as typed text.
      await page.getByRole('button', {name: 'Preview'}).click();
      await page.locator('#reset-plan tbody tr[data-tp]').first().waitFor();
      assert.match(await page.locator('.command code').first().innerText(), /^kgroups reset .*<img src=x onerror=window\.__xss=1>/);
      assert.deepEqual(await page.evaluate(() => ({
        xss: window.__xss ?? null,
        images: document.querySelectorAll('img').length,
        scripts: [...document.scripts].map(s => s.getAttribute('src')),
        violations: window.__cspViolations,
      })), {xss: null, images: 0, scripts: ['webjars/uplot/1.6.30/dist/uPlot.iife.min.js', 'common.js', 'group.js'], violations: []});
      await page.screenshot({path: `${OUT}/5c-hostile-name.png`, fullPage: true});
    });

    await t.test('150 more groups: the overview shows a page of 100, filtered, sorted and counted by the server', async () => {
      await promisify(execFile)('java', ['-cp', KGROUPS_JAR, new URL('IdleGroups.java', import.meta.url).pathname, BOOTSTRAP,
        '150', 'dash_idle_'], {timeout: 60_000});
      await page.goto(`${MONITOR_URL}/`);
      await eventually(async () => assert.equal(await page.locator('.count[data-status="all"] b').innerText(), '155'), 60_000);
      const rows = page.locator('#groups-table tbody tr');
      assert.equal(await rows.count(), 100);
      assert.match(await page.locator('.pager').innerText(), /1–100 of 155/);
      const firstPage = await rows.evaluateAll(r => r.map(row => row.dataset.group));
      await page.locator('#next-page').click();
      await eventually(async () => assert.match(await page.locator('.pager').innerText(), /101–155 of 155/));
      const secondPage = await rows.evaluateAll(r => r.map(row => row.dataset.group));
      assert.equal(secondPage.length, 55);
      assert.deepEqual(firstPage.filter(g => secondPage.includes(g)), [], 'no group on both pages');
      await page.screenshot({path: `${OUT}/7-overview-page-2.png`, fullPage: true});
      await page.locator('#previous-page').click();
      await eventually(async () => assert.match(await page.locator('.pager').innerText(), /1–100 of 155/));
      // The text filter goes to the server, and a page that fits has no pager.
      await page.locator('#filter').fill('dash_idle_0149');
      await eventually(async () => assert.deepEqual(await rows.evaluateAll(r => r.map(row => row.dataset.group)), ['dash_idle_0149']));
      assert.equal(await page.locator('.pager').count(), 0);
      await page.locator('#filter').fill('');
      // Sorted by name on the server: the first page is the first 100 names of all 155.
      await page.locator('th[data-key="group"]').click();
      const served = (await api('/api/groups?limit=500')).groups.map(g => g.group).sort();
      await eventually(async () => assert.deepEqual(await rows.evaluateAll(r => r.map(row => row.dataset.group)),
        served.slice(0, 100)));
    });

    await t.test('with the broker gone, a banner says the cluster cannot be read and how old the figures are', async () => {
      setup.child.kill();
      await once(setup.child, 'exit');
      process.kill(Number(BROKER_PID), 'SIGKILL');
      await page.goto(`${MONITOR_URL}/`);
      const banner = page.locator('#banner');
      await banner.waitFor({state: 'visible', timeout: 60_000});
      assert.match(await banner.innerText(), /The monitor cannot read the cluster \(\d+ cycle\(s\) in a row\): cannot reach Kafka/);
      assert.match(await banner.innerText(), /The figures below are from \d+s ago/);
      // The figures stay, marked as old: the group is still listed (found by the server's filter among 155).
      await page.locator('#filter').fill(GROUP);
      await eventually(async () => assert.equal(await page.locator(`tr[data-group="${GROUP}"]`).count(), 1));
      const status = await api('/api/status');
      assert.ok(status.lastError.includes('cannot reach Kafka'), status.lastError);
      await page.screenshot({path: `${OUT}/6-cluster-unreachable.png`, fullPage: true});
    });

    await t.test('no script error, nothing the Content-Security-Policy blocked, and no request outside the monitor', async () => {
      assert.deepEqual(problems, []);
      assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
    });
  } finally {
    if (setup && setup.child.exitCode === null) {
      const exited = once(setup.child, 'exit');
      setup.child.kill();
      await exited;
    }
    rmSync(`${OUT}/lagging-group.pid`, {force: true});
    await browser.close();
  }
});
