// axe-core over every page of the console, in both languages, with each dialog open: no
// serious or critical violation of WCAG 2 A/AA.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { signIn, withServerAndBrowser, addTechnician, xml, sql } from './harness.mjs';

const env = withServerAndBrowser({ before, after });
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function violations(page) {
  // axe is evaluated in the page (not added as a <script>), so the page's own
  // Content-Security-Policy stays exactly what users get.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('every page and dialog passes axe in English and Chinese', async () => {
  const base = env.server.base;
  const id = await addTechnician(base, { name: 'Ada Axe', email: 'ada@example.com', mobile: '+86 138 0013 8000' });
  // A row whose Subscribe is disabled: everything confirmable is missing.
  await addTechnician(base, { name: 'Bare Axe' });
  await xml(base, 'AddTechnician', { name: 'Site Axe', techSiteName: 'default' });
  // A drill with an acknowledged message and a silent one, for its page.
  sql(env.server.db, `INSERT INTO drills (place_kind, place_id, place_name, started_by, started_at, ends_at)
    VALUES ('site', 1, 'default', 'e2e.admin', 0, 1)`);
  sql(env.server.db, `INSERT INTO notifications (kind, text, created_at) VALUES ('drill', 'x', 0)`);
  sql(env.server.db, `INSERT INTO deliveries (notification_id, technician_id, channel, recipient, idempotency_key, status, attempts, next_attempt_at, created_at, updated_at)
    VALUES ((SELECT max(id) FROM notifications), ${id}, 'email', 'ada@example.com', 'axe-drill', 'delivered', 1, 0, 1, 1)`);
  sql(env.server.db, `INSERT INTO drill_targets (drill_id, technician_id, engineer, channel, token_hash, delivery_key, acked_at)
    VALUES ((SELECT max(id) FROM drills), ${id}, 'Ada Axe', 'email', 'h1', 'axe-drill', NULL),
           ((SELECT max(id) FROM drills), ${id}, 'Ada Axe', 'sms', 'h2', 'axe-drill-2', 95000)`);
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const paths = ['/', `/engineers/${id}/edit`, `/engineers/${id}/delete`, `/engineers/${id}/subscribe`,
    '/engineers/new', '/reference', '/settings', '/audit', '/messages', '/deliveries', '/servlets/forms/add-technician',
    '/reachability', '/reachability?channel=email&site=1', '/drills/1'];
  const found = [];
  for (const lang of ['en', 'zh-CN']) {
    await page.goto(`${base}/lang/${lang}?back=/login`);
    await page.locator('#login').waitFor();
    for (const v of await violations(page)) found.push(`${lang} /login: ${v}`);
    await signIn(page, base);
    for (const path of paths) {
      await page.goto(`${base}${path}`);
      await page.waitForLoadState('networkidle');
      for (const v of await violations(page)) found.push(`${lang} ${path}: ${v}`);
    }
    await page.goto(`${base}/?q=Axe`);
    await page.locator('#op-subscribe-' + id).waitFor();
    for (const v of await violations(page)) found.push(`${lang} /?q=Axe: ${v}`);
    await context.clearCookies();
  }
  assert.deepEqual(found, []);
});
