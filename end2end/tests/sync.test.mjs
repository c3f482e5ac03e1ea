// Synchronize Engineer Info in the browser: the button, a progress bar that survives a
// reload, and the summary with its lists.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { signIn, withServerAndBrowser } from './harness.mjs';

const env = withServerAndBrowser({ before, after });

test('the button starts a sync whose progress and result show on the roster page', async () => {
  const base = env.server.base;
  const rows = ['uid,cn,mail,mobile,entryUUID'];
  for (let i = 0; i < 4000; i++) {
    rows.push(`user${i},Directory Engineer ${i},user${i}@corp.example,+86 139 ${String(1000 + (i % 9000)).padStart(4, '0')} ${String(i).padStart(4, '0')},id-${i}`);
  }
  rows.push('bad,Bad Mobile,,12,id-bad');
  // The console may name only a file in the server's directory folder.
  mkdirSync(env.server.directoryRoot, { recursive: true });
  const file = 'corp.csv';
  writeFileSync(join(env.server.directoryRoot, file), rows.join('\n'));
  const page = await (await env.browser.newContext()).newPage();
  await signIn(page, base);
  // The directory is added in the settings; a bad name is named beside its field first.
  await page.goto(`${base}/settings`);
  await page.fill('#d-name', 'CORP 1');
  await page.fill('#d-file', file);
  await page.getByRole('button', { name: 'Add directory' }).click();
  await page.locator('#d-name-msg', { hasText: 'login domain' }).waitFor();
  await page.fill('#d-name', 'CORP');
  await page.getByRole('button', { name: 'Add directory' }).click();
  await page.locator('table.directories tbody tr', { hasText: file }).waitFor();
  await page.goto(`${base}/`);
  await page.getByRole('button', { name: 'Synchronize Engineer Info' }).click();
  await page.waitForURL(/\?sync=\d+/);
  const bar = page.locator('.sync-panel progress');
  await bar.waitFor({ timeout: 10000 });
  // A reload of the plain roster finds the running sync again.
  await page.goto(`${base}/`);
  await bar.waitFor({ timeout: 10000 });
  // Until the server has read the file the panel says so, with no count; then it shows the
  // total, unless the sync has finished by then.
  await page.locator('.sync-panel', { hasText: /Reading the directory…|Synchronizing engineer info: \d+ of 4001 entries|Synchronized: created 4001/ }).waitFor();
  await page.locator('.sync-panel', { hasText: /Synchronizing engineer info: \d+ of 4001 entries|Synchronized: created 4001/ }).waitFor();
  await page.getByText('Synchronized: created 4001, updated 0, unchanged 0, flagged 0').waitFor({ timeout: 120000 });
  await page.getByText('Notes (1)').click();
  await page.getByText(/Bad Mobile: mobile left out/).waitFor();
  // The engineers are in the table.
  await page.goto(`${base}/?q=Directory+Engineer+3999`);
  await page.locator('table.roster tbody tr', { hasText: 'Directory Engineer 3999' }).waitFor();
});
