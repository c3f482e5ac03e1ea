// Reference data, settings and the audit log pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, signIn, withServerAndBrowser, addTechnician, waitForHydration, watchCode, runsNoCode } from './harness.mjs';

const env = withServerAndBrowser({ before, after });

test('an SDAdmin adds a site and a UDF, switches a beta channel on, and finds both in the audit log', async () => {
  const page = await (await env.browser.newContext()).newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await signIn(page, env.server.base);
  await page.getByRole('link', { name: 'Reference data' }).click();
  await page.getByRole('heading', { name: 'Sites' }).waitFor();
  await page.fill('#site-name', 'Langley');
  await page.getByRole('region', { name: 'Sites' }).getByRole('button', { name: 'Add' }).click();
  await page.getByRole('region', { name: 'Sites' }).getByText('Langley').waitFor();
  await page.fill('#udf-column', 'badge');
  await page.fill('#udf-alias', 'Badge');
  await page.getByRole('region', { name: 'User-defined fields' }).getByRole('button', { name: 'Add' }).click();
  await page.locator('.field-error', { hasText: 'UDF_' }).waitFor();

  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('WeCom').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Settings saved.').waitFor();
  await page.reload();
  assert.equal(await page.getByLabel('WeCom').isChecked(), true);

  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.locator('table.audit').waitFor();
  const text = await page.locator('table.audit').innerText();
  assert.match(text, /site\.add/);
  assert.match(text, /settings\.beta/);
  assert.deepEqual(errors, []);
});

test('an SDAdmin makes an API key under Settings, sees it once, and revokes it', async () => {
  const page = await (await env.browser.newContext()).newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await signIn(page, env.server.base);
  await page.goto(`${env.server.base}/settings`);
  await waitForHydration(page);
  const keys = page.getByRole('region', { name: 'API keys' });
  await keys.getByLabel('Key name').fill('e2e-provisioning');
  await keys.getByLabel('Owner (login)').fill(ADMIN.login);
  await keys.getByLabel('technicians:read').check();
  await keys.getByRole('button', { name: 'Create key' }).click();
  const shown = keys.locator('code.new-key');
  await shown.waitFor();
  const key = (await shown.innerText()).trim();
  assert.match(key, /^cdk_[0-9a-f]{64}$/);
  const answer = await fetch(`${env.server.base}/api/v1/technicians`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(answer.status, 200);
  // Shown once: a reload no longer has it.
  await page.reload();
  await keys.getByRole('cell', { name: 'e2e-provisioning', exact: true }).waitFor();
  assert.equal(await keys.locator('code.new-key').count(), 0);
  assert.equal((await page.content()).includes(key), false);
  await waitForHydration(page);
  await keys.getByRole('button', { name: 'Revoke e2e-provisioning' }).click();
  await keys.getByText('revoked').waitFor();
  const after = await fetch(`${env.server.base}/api/v1/technicians`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(after.status, 401);
  assert.deepEqual(errors, []);
});

test('an SDAdmin previews a roster CSV with its problems by row and column, then imports the rest', async () => {
  const page = await (await env.browser.newContext()).newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await signIn(page, env.server.base);
  await page.getByRole('link', { name: 'Import CSV' }).click();
  await page.getByRole('heading', { name: 'Import engineers from CSV' }).waitFor();
  const csv = '\ufeffname,email,jobTitle\r\nKatherine Johnson,katherine@example.com,Mathematician\r\n'
    + 'Mary Jackson,not-an-address,Engineer\r\n"Christine Darden, PhD",christine@example.com,"Aero\r\nengineer"\r\n';
  await page.getByLabel('CSV file (UTF-8, up to 16 MB)').setInputFiles({ name: 'team.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.getByText('team.csv: 1 to create, 0 to update, 0 unchanged, 2 with problems.').waitFor();
  const rows = page.locator('table.import-rows tbody tr');
  assert.equal(await rows.count(), 2);
  assert.match(await rows.nth(0).innerText(), /^3\s+problem\s+email\s+/);
  assert.match(await rows.nth(1).innerText(), /^4\s+problem\s+jobTitle\s+/);
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: "Download every row's outcome (CSV)" }).click();
  const report = await (await download).path();
  const { readFile } = await import('node:fs/promises');
  assert.match(await readFile(report, 'utf8'), /\r\n2,create,,,,\r\n3,error,,email,/);
  // Nothing is written before the preview is applied.
  const before = await fetch(`${env.server.base}/roster.csv?q=Katherine`, { headers: { cookie: (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ') } });
  assert.doesNotMatch(await before.text(), /Katherine/);
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Apply: create 1, update 0' }).click();
  await page.getByText('team.csv imported: 1 created, 0 updated, 0 unchanged, 2 with problems (they changed nothing).').waitFor();
  await page.getByRole('link', { name: 'Back to the engineers' }).click();
  await page.getByRole('cell', { name: 'Katherine Johnson' }).waitFor();
  assert.deepEqual(errors, []);
});

test('the API reference page renders the served OpenAPI document from this server alone', async () => {
  const page = await (await env.browser.newContext()).newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  const elsewhere = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(env.server.base) && !request.url().startsWith('data:')) elsewhere.push(request.url());
  });
  await page.goto(`${env.server.base}/api/docs`);
  await page.getByRole('heading', { name: /Crewdesk API/ }).waitFor();
  await page.getByText('/api/v1/technicians/{id}', { exact: true }).first().waitFor();
  assert.deepEqual(elsewhere, []);
  assert.deepEqual(errors, []);
});

test('the audit log shows what an edit changed, filtered by technician', async () => {
  const id = await addTechnician(env.server.base, { name: 'Dorothy Hoover', email: 'dorothy@example.com' });
  const page = await (await env.browser.newContext()).newPage();
  await signIn(page, env.server.base);
  await page.goto(`${env.server.base}/engineers/${id}/edit`);
  await page.fill('#f-email', 'hoover@example.com');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Changes saved.').waitFor();
  await page.goto(`${env.server.base}/audit`);
  await page.fill('input[name=technician]', 'Hoover');
  await page.getByRole('button', { name: 'Apply' }).click();
  const entry = page.locator('table.audit tbody tr', { hasText: 'technician.update' });
  await entry.waitFor();
  assert.match(await entry.innerText(), /dorothy@example\.com\s*→\s*hoover@example\.com/);
  assert.match(await entry.innerText(), /Console/);
});

test('the console\'s code is one module: the roster runs it, and other pages need nothing more', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  const code = await watchCode(context, page);
  await signIn(page, env.server.base);
  await page.locator('table.roster').waitFor();
  const modules = [...new Set(code.all().map((r) => r.path).filter((path) => path.endsWith('.wasm')))];
  assert.equal(modules.length, 1, JSON.stringify(code.all()));
  assert.match(modules[0], /^\/pkg\/crewdesk\.[0-9a-f]{16}\.wasm$/, 'named by its content');
  const before = code.all().length;

  // The settings page and a dialog open inside the running console, with no code fetched.
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('WeCom').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Settings saved.').waitFor();
  // Rendered by the running console, or (islands mode) loaded with the code from the cache.
  assert.deepEqual(code.all().slice(before).filter((r) => !r.cached), [], 'no code fetched after the first page');
  assert.deepEqual(errors, []);
});

test('a page opened by its address after the first takes the code from the browser\'s cache without asking the server', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await signIn(page, env.server.base);
  const code = await watchCode(context, page);
  await page.goto(`${env.server.base}/settings`);
  await waitForHydration(page);
  await page.getByLabel('WeCom').check();
  assert.ok(new Set(code.all().map((r) => r.path)).size >= 2, `the page asked for its JS and WASM: ${JSON.stringify(code.all())}`);
  assert.deepEqual(code.all().filter((r) => !r.cached), [], 'no code fetched or revalidated over the network');
  assert.deepEqual(errors, []);
});

test('the sign-in page runs no code and fetches it for the roster, which then needs nothing over the network; signing out leads back to a working one', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  const code = await watchCode(context, page);
  await page.goto(`${env.server.base}/login`);
  await page.fill('#login', ADMIN.login);
  await page.fill('#password', 'not-the-password');
  await page.click('button[type=submit]');
  await page.getByRole('alert').filter({ hasText: 'not correct' }).waitFor();
  assert.ok(await runsNoCode(page), 'the sign-in page runs no script or WASM');
  const prefetched = code.all().map((r) => r.path);
  assert.ok(prefetched.some((path) => /^\/pkg\/crewdesk\.[0-9a-f]{16}\.wasm$/.test(path)), prefetched.join(' '));
  assert.ok(prefetched.some((path) => /^\/pkg\/crewdesk\.[0-9a-f]{16}\.js$/.test(path)), prefetched.join(' '));
  // Back with the login name as typed: only the password is typed again.
  assert.equal(await page.inputValue('#login'), ADMIN.login);
  assert.equal(await page.inputValue('#password'), '');
  // The browser focuses an autofocus field once it has rendered the page, not at once.
  await page.waitForFunction(() => document.activeElement?.id === 'password');
  await code.finished();
  const before = code.all().length;
  await page.fill('#password', ADMIN.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${env.server.base}/`);
  await waitForHydration(page);
  const roster = code.all().slice(before);
  assert.ok(roster.some((r) => /^\/pkg\/crewdesk\.[0-9a-f]{16}\.wasm$/.test(r.path)), JSON.stringify(roster));
  assert.deepEqual(roster.filter((r) => !r.cached), [], 'the roster took the code the sign-in page fetched from the cache');

  // Signed out from the running console, the sign-in page is rendered by the code already
  // there, and signs in again without a page load.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login/);
  await page.fill('#login', ADMIN.login);
  await page.fill('#password', ADMIN.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${env.server.base}/`);
  await page.locator('table.roster').waitFor();
  assert.deepEqual(errors, []);
});

test('the audit log and the message log work as plain pages that run no code; the roster runs it', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await signIn(page, env.server.base);
  const code = await watchCode(context, page);
  await page.goto(`${env.server.base}/audit`);
  await page.selectOption('select[name=source]', 'cli');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/source=cli/);
  await page.locator('table.audit').waitFor();
  assert.ok(await runsNoCode(page), 'the audit log runs no script or WASM');
  await page.getByRole('link', { name: 'Message log' }).click();
  await page.getByRole('heading', { name: 'Message log' }).waitFor();
  assert.ok(await runsNoCode(page), 'the message log runs no script or WASM');

  await page.getByRole('link', { name: 'Engineers' }).click();
  await page.locator('table.roster').waitFor();
  await waitForHydration(page);
  assert.ok(code.all().some((r) => /^\/pkg\/crewdesk\.[0-9a-f]{16}\.wasm$/.test(r.path)), JSON.stringify(code.all()));
  // From the running console, the audit log is rendered by the code already there (in
  // islands mode it is loaded, and finds what it prefetches in the cache).
  const before = code.all().length;
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.locator('table.audit').waitFor();
  assert.deepEqual(code.all().slice(before).filter((r) => !r.cached), [], 'no code asked for after the roster');
  assert.deepEqual(errors, []);
});
