// Screenshots of the Aspire dashboard for docs/aspire.md, taken by a real headless Chromium driven over the Chrome
// DevTools Protocol (a plain `chromium --screenshot` captures the page before the dashboard has rendered anything).
//
//   node Tests/tools/dashboard-screenshot.mjs <login URL printed by the AppHost> <output directory>
//
// Logs in with the URL's token, starts the smoke resource from its row (the ▶ button), waits until it has finished,
// captures the resources page, then opens a `tools/call` trace and captures it. Needs Node 22 (global WebSocket:
// Tests/node_modules/node/bin/node after `npm ci` in Tests/) and Debian's chromium at /usr/bin/chromium (CHROMIUM).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [loginUrl, outDir] = process.argv.slice(2);
if (!loginUrl || !outDir) {
  console.error('usage: dashboard-screenshot.mjs <login URL> <output directory>');
  process.exit(2);
}
const base = new URL(loginUrl).origin;
const port = 9300 + Math.floor(Math.random() * 500);
const profile = mkdtempSync(join(tmpdir(), 'prynai-chromium-'));
const chromium = spawn(process.env.CHROMIUM ?? '/usr/bin/chromium', [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${profile}`,
  `--remote-debugging-port=${port}`, '--window-size=1600,900', 'about:blank',
], { stdio: 'ignore' });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function pageTarget() {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
      const page = targets.find((target) => target.type === 'page');
      if (page) return page.webSocketDebuggerUrl;
    } catch { /* not listening yet */ }
    await sleep(100);
  }
  throw new Error('chromium did not open its debugging port');
}

const socket = new WebSocket(await pageTarget());
await new Promise((resolve, reject) => { socket.onopen = resolve; socket.onerror = reject; });
let nextId = 0;
const pending = new Map();
socket.onmessage = (message) => {
  const reply = JSON.parse(message.data);
  if (pending.has(reply.id)) {
    const { resolve, reject } = pending.get(reply.id);
    pending.delete(reply.id);
    reply.error ? reject(new Error(JSON.stringify(reply.error))) : resolve(reply.result);
  }
};
const send = (method, params = {}) => new Promise((resolve, reject) => {
  const id = ++nextId;
  pending.set(id, { resolve, reject });
  socket.send(JSON.stringify({ id, method, params }));
});
const evaluate = async (expression) => (await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true })).result.value;
const until = async (what, expression, timeoutMs = 60000) => {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(500)) {
    if (await evaluate(expression)) return;
  }
  throw new Error(`timed out waiting for ${what}`);
};
const capture = async (file) => {
  const { data } = await send('Page.captureScreenshot', { format: 'png' });
  writeFileSync(join(outDir, file), Buffer.from(data, 'base64'));
  console.log(`wrote ${join(outDir, file)}`);
};
const text = 'document.body ? document.body.innerText : ""';

try {
  await send('Page.enable');
  await send('Emulation.setDeviceMetricsOverride', { width: 1600, height: 900, deviceScaleFactor: 1, mobile: false });
  await send('Page.navigate', { url: loginUrl });
  const rowOf = (name) => `[...document.querySelectorAll('[role=row], tr')].find(r => r.innerText.split(/\\s/).includes('${name}'))`;
  await until('the resources on the resources page', `!!(${rowOf('smoke')}) && !!(${rowOf('mcp')}) && !!(${rowOf('cache')})`);

  // The smoke row's Start command (the ▶ button of the resource's row).
  const started = await evaluate(`(() => {
    const row = ${rowOf('smoke')};
    const button = row && [...row.querySelectorAll('button, fluent-button')].find(b =>
      /start/i.test(b.getAttribute('aria-label') || b.getAttribute('title') || b.innerText));
    if (!button) return false;
    button.click();
    return true;
  })()`);
  if (!started) throw new Error('no Start button on the smoke row');
  await until('smoke to run', `(() => {
    const row = ${rowOf('smoke')};
    return row && /Running|Starting/.test(row.innerText);
  })()`);
  await until('smoke to finish', `(() => {
    const row = ${rowOf('smoke')};
    return row && /Finished|Exited/.test(row.innerText);
  })()`, 180000);
  // Its details (state, exit code, environment) open beside the grid when the row is selected.
  await evaluate(`(() => { const row = ${rowOf('smoke')}; row.querySelector('[role=gridcell]').click(); return true; })()`);
  await until('the smoke details', `${text}.includes('Exit code')`, 15000);
  await sleep(2000);
  await capture('aspire-dashboard.png');

  // Trace rows carry their ids in the name cell's title; open them until one has a tools/call span.
  await send('Page.navigate', { url: `${base}/traces` });
  await until('the traces list', `document.querySelectorAll('[role=gridcell][title*="Trace Id:"]').length > 0`);
  const traceIds = await evaluate(`[...document.querySelectorAll('[role=gridcell][title*="Trace Id:"]')]
    .map(cell => /Trace Id: ([0-9a-f]+)/.exec(cell.getAttribute('title'))[1])`);
  let found = false;
  for (const traceId of traceIds) {
    await send('Page.navigate', { url: `${base}/traces/detail/${traceId}` });
    try {
      await until('the trace detail', `location.pathname.endsWith('${traceId}') &&
        [...document.querySelectorAll('[role=row]')].some(r => /^\\s*tools\\/call \\S/.test(r.innerText))`, 8000);
      found = true;
      break;
    } catch { /* not a tools/call trace: the next one */ }
  }
  if (!found) throw new Error('no tools/call trace to open');
  // The span's attributes (mcp.method.name, gen_ai.tool.name, ...) open beside it when its row is selected.
  await evaluate(`(() => {
    const row = [...document.querySelectorAll('[role=row]')].find(r => /^\\s*tools\\/call \\S/.test(r.innerText));
    row.querySelector('[role=gridcell]').click();
    return true;
  })()`);
  await until('the span details', `${text}.includes('gen_ai.tool.name') || ${text}.includes('mcp.method.name')`, 15000);
  await sleep(2000);
  await capture('aspire-dashboard-trace.png');
} catch (error) {
  await capture('dashboard-failure.png').catch(() => {});
  throw error;
} finally {
  socket.close();
  chromium.kill();
  await sleep(500);
  rmSync(profile, { recursive: true, force: true });
}
