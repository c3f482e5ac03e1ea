// Starts a real Crewdesk (the binary the test command built) on a free loopback port with a
// fresh SQLite database and an admin, and a headless Debian Chromium to drive it.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { chromium } from 'playwright-core';

export const ADMIN = { login: 'e2e.admin', password: 'e2e-lantern-quartz-1' };

const bin = process.env.CREWDESK_BIN;
const siteRoot = process.env.CREWDESK_SITE_ROOT;
if (!bin || !siteRoot) throw new Error('CREWDESK_BIN and CREWDESK_SITE_ROOT must be set (scripts/test.sh sets them)');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'crewdesk-e2e-'));
  const env = { ...process.env, CREWDESK_DATABASE_URL: `sqlite:${dir}/crewdesk.db`, CREWDESK_LOG: 'warn' };
  execFileSync(bin, ['admin', 'create', '--login', ADMIN.login, '--password', ADMIN.password, '--name', 'E2E Admin'], { env });
  const port = await freePort();
  const child = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--site-root', siteRoot], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  // Bounded wait for the listener: 200 tries, 50 ms apart.
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(`${base}/healthz`);
      // The console names directory files inside this folder (the default, beside the database).
      if (res.ok) return { base, db: `${dir}/crewdesk.db`, directoryRoot: `${dir}/directories`, stop: () => child.kill('SIGTERM') };
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('crewdesk did not answer /healthz within 10 s');
}

/// Headless Chromium. In a context with JavaScript, every `page.goto` also waits until the
/// page is hydrated (`<html data-hydrated>`: the main WASM and the page's lazy chunks are
/// live), as a user's clicks would meet a live page after it; before that, forms and links
/// work as plain HTML, which the JavaScript-off tests cover.
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options = {}) => {
    const context = await newContext(options);
    if (options.javaScriptEnabled === false) return context;
    context.runsScripts = true;
    const newPage = context.newPage.bind(context);
    context.newPage = async () => {
      const page = await newPage();
      const goto = page.goto.bind(page);
      page.goto = async (url, gotoOptions) => {
        const response = await goto(url, gotoOptions);
        await waitForHydration(page);
        return response;
      };
      return page;
    };
    return context;
  };
  return browser;
}

/// Waits until the console page on screen is hydrated (bounded by the default 30 s timeout);
/// pages that are not the console's (the sample forms, a confirmation link's page) and pages
/// in a context without JavaScript are left as they are.
export async function waitForHydration(page) {
  if (!page.context().runsScripts) return;
  if (await page.locator('link[rel=modulepreload][href^="/pkg/crewdesk."]').count() === 0) return;
  await page.waitForSelector('html[data-hydrated]', { state: 'attached' });
}

/// Records the console's code (JS and WASM under /pkg) a page asks for, through DevTools:
/// each request's path, whether the browser's cache answered it, and whether it finished.
/// (A prefetch and a page's own request look alike here; `runsNoCode` tells the pages apart.)
export async function watchCode(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const requests = new Map();
  cdp.on('Network.requestWillBeSent', (e) => {
    const path = new URL(e.request.url).pathname;
    if (/^\/pkg\/.*\.(wasm|js)$/.test(path)) requests.set(e.requestId, { path, cached: false, done: false });
  });
  const mark = (id, field) => { const r = requests.get(id); if (r) r[field] = true; };
  cdp.on('Network.requestServedFromCache', (e) => mark(e.requestId, 'cached'));
  cdp.on('Network.responseReceived', (e) => {
    if (e.response.fromDiskCache || e.response.fromPrefetchCache) mark(e.requestId, 'cached');
  });
  cdp.on('Network.loadingFinished', (e) => mark(e.requestId, 'done'));
  cdp.on('Network.loadingFailed', (e) => mark(e.requestId, 'done'));
  return {
    all: () => [...requests.values()],
    /// Until every request seen has finished (bounded: 10 s).
    finished: async () => {
      for (let i = 0; i < 200 && [...requests.values()].some((r) => !r.done); i++) await new Promise((ok) => setTimeout(ok, 50));
    },
  };
}

/// Whether the page on screen runs no code: no module script, nothing preloaded to run, not
/// hydrated (it may prefetch the code, unrun, for the next page).
export async function runsNoCode(page) {
  return page.evaluate(() => !document.querySelector('script[type=module], link[rel=modulepreload], html[data-hydrated]'));
}

export async function signIn(page, base, login = ADMIN.login, password = ADMIN.password) {
  await page.goto(`${base}/login`);
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/`);
  await waitForHydration(page);
}

/// One XML API operation as the admin; answers the envelope's text.
export async function xml(base, operation, pairs, servlet = '/servlets/TechnicianServlet') {
  const body = new URLSearchParams({ operation, username: ADMIN.login, password: ADMIN.password, ...pairs });
  const res = await fetch(`${base}${servlet}`, { method: 'POST', body });
  return res.text();
}

/// Adds a technician through the XML API and answers its id.
export async function addTechnician(base, pairs) {
  const answer = await xml(base, 'AddTechnician', pairs);
  const id = answer.match(/<userid>(\d+)<\/userid>/);
  if (!id) throw new Error(`AddTechnician failed: ${answer}`);
  return id[1];
}

/// Runs a `crewdesk` command (e.g. `site add NAME`) against the server's database.
export function crewdesk(db, ...args) {
  execFileSync(bin, args, { env: { ...process.env, CREWDESK_DATABASE_URL: `sqlite:${db}`, CREWDESK_LOG: 'warn' } });
}

/// Runs one SQL statement on the server's SQLite file (with Python's sqlite3, present on
/// every machine this runs on), for states no screen can create yet.
export function sql(db, statement) {
  execFileSync('python3', ['-c', 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()', db, statement]);
}

/// Registers the suite's hooks: one server and one browser for the file, stopped at the end.
/// The returned object is filled in before the first test runs.
export function withServerAndBrowser(hooks) {
  const env = {};
  hooks.before(async () => {
    env.server = await startServer();
    env.browser = await launchBrowser();
  });
  hooks.after(async () => {
    await env.browser?.close();
    env.server?.stop();
  });
  return env;
}
