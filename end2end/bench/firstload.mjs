// The first load of each page in headless Chromium with the network emulated through the
// DevTools protocol, cold cache: when the HTML arrived, when the code arrived (the last
// WASM or JS response), when the page was interactive, how many requests for code and how
// many bytes over the wire. Run by scripts/bench-firstload.sh:
//   node end2end/bench/firstload.mjs BASE COOKIE PAGES RUNS [OTHER_BASE]
// PAGES is JSON: [{ "name", "path", "signedIn", "edit", "editLoadsPage", "anchor", "signIn",
// "base" }]; `edit` names an Edit link to click once the page is live (the dialog must open
// without a new page, unless `editLoadsPage`); `base: "other"` loads from OTHER_BASE;
// `signIn` ({ login, password, pauseMs }) signs in on the page and times the roster after
// it from the click; the first page is the anchor every ratio is read against. Prints one JSON
// line per page and network, each figure the median of RUNS loads, in ms from navigation.
import { chromium } from 'playwright-core';

const [base, cookie, pagesJson, runsText, otherBase] = process.argv.slice(2);
const pages = JSON.parse(pagesJson);
const runs = Number(runsText) || 5;
const NETWORKS = [
  { name: '100 ms, 10 Mbit/s', latency: 100, down: 10e6 / 8, up: 10e6 / 8 },
  { name: '20 ms, 50 Mbit/s', latency: 20, down: 50e6 / 8, up: 50e6 / 8 },
];
const [cookieName, ...cookieValue] = cookie.split('=');

// When `<html data-hydrated>` appears (the console sets it once a page, chunks and all, is
// live; the anchor once it is mounted), in ms from navigation.
function watchHydration() {
  const seen = () => {
    if (window.__hydratedAt === undefined && document.documentElement.hasAttribute('data-hydrated')) {
      window.__hydratedAt = performance.now();
    }
  };
  // Before the page's markup exists: the document is watched, the attribute wherever it lands.
  new MutationObserver(seen).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-hydrated'] });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

class Stalled extends Error {}

/// One load in a context of its own: a new context starts with an empty cache. (Switching
/// the cache off through the protocol instead left preloaded chunks pending for good now and
/// then under emulation.)
async function loadOnce(browser, network, page) {
  // The anchor is a static page of the same server, which sends such files a policy that
  // lets nothing run: the browser leaves it aside for the anchor only.
  const context = await browser.newContext({ bypassCSP: !!page.anchor });
  const origin = page.base === 'other' ? otherBase : base;
  try {
    if (page.signedIn) {
      await context.addCookies([{ name: cookieName, value: cookieValue.join('='), url: origin }]);
    }
    const tab = await context.newPage();
    const cdp = await context.newCDPSession(tab);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: network.latency, downloadThroughput: network.down, uploadThroughput: network.up,
    });
    await tab.addInitScript(watchHydration);
    const documents = [];
    tab.on('request', (r) => { if (r.resourceType() === 'document') documents.push(r.url()); });
    const pending = new Set();
    tab.on('request', (r) => pending.add(r.url()));
    tab.on('requestfinished', (r) => pending.delete(r.url()));
    tab.on('requestfailed', (r) => pending.delete(r.url()));
    const response = await tab.goto(`${origin}${page.path}`, { waitUntil: 'load', timeout: 20000 }).catch((e) => {
      throw new Stalled(`${page.path}: ${e.message.split('\n')[0]}; still pending: ${[...pending].join(' ')}`);
    });
    if (!response || response.status() !== 200) throw new Error(`${page.path}: ${response && response.status()}`);
    if (page.signIn) return await signInThenRoster(tab, page.signIn);
    const loadsCode = await tab.evaluate(() => document.querySelector('script[type=module], link[rel=modulepreload]') !== null);
    if (loadsCode) {
      await tab.waitForFunction(() => window.__hydratedAt !== undefined, null, { timeout: 20000 }).catch((e) => {
        throw new Stalled(`${page.path}: ${e.message.split('\n')[0]}; still pending: ${[...pending].join(' ')}`);
      });
    }
    const figures = await tab.evaluate((loadsCode) => {
      const nav = performance.getEntriesByType('navigation')[0];
      // A page that runs no code prefetches it once loaded, for the next page: not its own.
      const isCode = (r) => /\.(wasm|js)(\?|$)/.test(new URL(r.name).pathname);
      const resources = performance.getEntriesByType('resource').filter((r) => loadsCode || !isCode(r));
      const code = resources.filter(isCode);
      return {
        html: nav.responseEnd,
        code: code.length ? Math.max(...code.map((r) => r.responseEnd)) : nav.responseEnd,
        interactive: window.__hydratedAt ?? nav.domInteractive,
        requests: code.length,
        bytes: nav.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
      };
    }, loadsCode);
    if (page.edit) {
      // The Edit link of the first engineer: the dialog's page loads (islands), or the
      // dialog opens in place with no new page (whole pages).
      // Timed by the wall clock: a page loaded by the link has a clock of its own.
      const before = documents.length;
      const clicked = await tab.evaluate(() => Date.now());
      await tab.click(page.edit);
      await tab.getByRole('dialog').waitFor({ timeout: 60000 });
      // A dialog's own page shows it once its HTML is parsed (the locator's polling across
      // the new page would add its own delay); one opened in place, when it is found.
      const opened = documents.length !== before
        ? await tab.evaluate(() => performance.timeOrigin + performance.getEntriesByType('navigation')[0].domInteractive)
        : await tab.evaluate(() => Date.now());
      figures.dialog = opened - clicked;
      if (documents.length !== before && !page.editLoadsPage) throw new Error(`${page.path}: Edit loaded a new page`);
    }
    return figures;
  } finally {
    await context.close();
  }
}

/// The sign-in page, a pause while someone types (`pauseMs`), the form sent, and the roster
/// after it: figures in ms from the click on Sign in; code requests and bytes are the
/// roster's own, over the network (the sign-in page's prefetch has filled the cache or not).
async function signInThenRoster(tab, { login, password, pauseMs }) {
  await tab.waitForTimeout(pauseMs);
  await tab.fill('#login', login);
  await tab.fill('#password', password);
  const clicked = await tab.evaluate(() => Date.now());
  await tab.click('button[type=submit]');
  await tab.waitForURL((url) => url.pathname === '/', { timeout: 20000 }).catch((e) => {
    throw new Stalled(`sign-in: ${e.message.split('\n')[0]}`);
  });
  await tab.waitForFunction(() => window.__hydratedAt !== undefined, null, { timeout: 20000 }).catch((e) => {
    throw new Stalled(`roster after sign-in: ${e.message.split('\n')[0]}`);
  });
  return tab.evaluate((clicked) => {
    const since = (t) => performance.timeOrigin + t - clicked;
    const nav = performance.getEntriesByType('navigation')[0];
    const resources = performance.getEntriesByType('resource');
    const code = resources.filter((r) => /\.(wasm|js)(\?|$)/.test(new URL(r.name).pathname));
    return {
      html: since(nav.responseEnd),
      code: code.length ? since(Math.max(...code.map((r) => r.responseEnd))) : since(nav.responseEnd),
      interactive: since(window.__hydratedAt),
      requests: code.filter((r) => r.transferSize > 0).length,
      bytes: nav.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
    };
  }, clicked);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  for (const network of NETWORKS) {
    for (const page of pages) {
      const all = [];
      // Under emulation Chromium now and then leaves a load's requests pending for good
      // (the document too); such a load is done again, at most five times a page, and counted.
      let stalls = 0;
      while (all.length < runs) {
        try {
          all.push(await loadOnce(browser, network, page));
        } catch (e) {
          if (!(e instanceof Stalled) || ++stalls > 5) throw e;
          console.error(`stalled, loading again: ${e.message.slice(0, 300)}`);
        }
      }
      const out = { network: network.name, page: page.name, stalls };
      for (const key of Object.keys(all[0])) out[key] = median(all.map((f) => f[key]));
      console.log(JSON.stringify(out));
    }
  }
} finally {
  await browser.close();
}
