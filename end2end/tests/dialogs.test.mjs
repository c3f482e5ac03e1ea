// The Edit, Delete and Subscribe dialogs of the engineer table, as an SDAdmin, an
// SDSiteAdmin and a plain engineer see them, in English and in Chinese.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { signIn, withServerAndBrowser, addTechnician, xml, crewdesk, waitForHydration } from './harness.mjs';

const env = withServerAndBrowser({ before, after });

function watchErrors(page) {
  const errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (err) => errors.push(String(err)));
  return errors;
}

function row(page, name) {
  return page.locator('table.roster tbody tr', { hasText: name });
}

test('an SDAdmin edits an engineer: errors as you type, focus kept inside, saved with a toast', async () => {
  const id = await addTechnician(env.server.base, { name: 'Mary Jackson', email: 'mary@example.com' });
  const page = await (await env.browser.newContext()).newPage();
  const errors = watchErrors(page);
  await signIn(page, env.server.base);
  await page.fill('input[name=q]', 'Mary');
  await page.press('input[name=q]', 'Enter');
  await row(page, 'Mary Jackson').waitFor();
  // The search is a plain GET form: a new page, live once hydrated.
  await waitForHydration(page);
  await page.click(`#op-edit-${id}`);
  const dialog = page.getByRole('dialog', { name: 'Edit Mary Jackson' });
  await dialog.waitFor();
  // Live already in place; in islands mode the dialog is a page of its own, live once loaded.
  await waitForHydration(page);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-name');

  // The browser runs the server's email parser as you type.
  await page.fill('#f-email', 'mary@');
  await dialog.locator('#f-email-msg', { hasText: /domain/ }).waitFor();
  assert.equal(await page.getAttribute('#f-email', 'aria-invalid'), 'true');
  await page.fill('#f-email', 'mary.jackson@example.com');
  await page.waitForFunction(() => document.querySelector('#f-email-msg').textContent === '');

  // Shift+Tab from the first control wraps to the last one: focus stays in the dialog.
  await page.focus('.dialog-close');
  await page.keyboard.press('Shift+Tab');
  assert.ok(await page.evaluate(() => document.activeElement.closest('[role=dialog]') !== null));

  await page.fill('#f-jobTitle', 'Engineer');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Changes saved.').waitFor();
  assert.equal(await page.getByRole('dialog').count(), 0);
  // The table behind the dialog reloads with the saved values.
  await row(page, 'mary.jackson@example.com').waitFor();
  assert.match(page.url(), /q=Mary/, 'the table keeps its search');
  assert.deepEqual(errors, []);
});

test('a bad value refused on save is shown beside its field', async () => {
  const id = await addTechnician(env.server.base, { name: 'Christine Darden' });
  const page = await (await env.browser.newContext()).newPage();
  await signIn(page, env.server.base);
  await page.goto(`${env.server.base}/engineers/${id}/edit`);
  await page.getByRole('dialog').waitFor();
  await page.fill('#f-email', 'ops@localhost');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Please correct the highlighted fields.').waitFor();
  await waitForHydration(page);
  await page.locator('#f-email-msg', { hasText: 'domain' }).waitFor();
  // The dialog came back with what was typed, not the stored value.
  assert.equal(await page.inputValue('#f-email'), 'ops@localhost');
});

test('an edit made on stale values is refused with a clear message', async () => {
  const id = await addTechnician(env.server.base, { name: 'Annie Easley' });
  const page = await (await env.browser.newContext()).newPage();
  await signIn(page, env.server.base);
  await page.goto(`${env.server.base}/engineers/${id}/edit`);
  await page.getByRole('dialog').waitFor();
  await page.fill('#f-jobTitle', 'Mine');
  // Someone else changes the engineer while the dialog is open.
  assert.match(await xml(env.server.base, 'UpdateTechnician', { userid: id, jobTitle: 'Theirs' }), /Success/);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('was changed by someone else').waitFor();
  assert.match(await xml(env.server.base, 'GetTechnician', { userid: id }), /<propname key="jobTitle">Theirs<\/propname>/);
  // The dialog shows the values that won, not what was typed on the stale ones: saved
  // again as it stands, it would not undo the other change.
  await waitForHydration(page);
  assert.equal(await page.inputValue('#f-jobTitle'), 'Theirs');
});

test('deleting the last SDAdmin is refused with the reason; Escape closes and focus returns', async () => {
  const page = await (await env.browser.newContext()).newPage();
  await signIn(page, env.server.base);
  await page.fill('input[name=q]', 'E2E Admin');
  await page.press('input[name=q]', 'Enter');
  const adminRow = row(page, 'E2E Admin');
  await adminRow.waitFor();
  await waitForHydration(page);
  const opener = adminRow.locator('a[id^=op-delete-]');
  const openerId = await opener.getAttribute('id');
  await opener.click();
  await page.getByRole('dialog').waitFor();
  await page.getByRole('button', { name: 'Delete technician' }).click();
  await page.getByText('last SDAdmin').waitFor();
  await waitForHydration(page);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('[role=dialog]'));
  await page.waitForFunction((id) => document.activeElement && document.activeElement.id === id, openerId);
});

test('an SDAdmin deletes an engineer', async () => {
  const id = await addTechnician(env.server.base, { name: 'Melba Roy' });
  const page = await (await env.browser.newContext()).newPage();
  await signIn(page, env.server.base);
  await page.goto(`${env.server.base}/engineers/${id}/delete?q=Melba`);
  await page.getByRole('dialog', { name: 'Delete Melba Roy?' }).waitFor();
  await page.getByRole('button', { name: 'Delete technician' }).click();
  await page.getByText('Technician deleted.').waitFor();
  await page.getByText('No engineers match.').waitFor();
});

test('Saved contacts get confirmations; the links from the Message log confirm them and the table shows it', async () => {
  const base = env.server.base;
  const id = await addTechnician(base, { name: 'Evelyn Boyd', mobile: '+1 202 555 0170', email: 'evelyn@example.com' });
  const page = await (await env.browser.newContext()).newPage();
  await signIn(page, base);
  await page.goto(`${base}/?q=Evelyn`);
  const row = page.locator('table.roster tbody tr', { hasText: 'Evelyn Boyd' });
  await row.locator('.chip.state-pending', { hasText: 'SMS' }).waitFor();
  await page.click(`#op-subscribe-${id}`);
  const dialog = page.getByRole('dialog', { name: 'Subscribe Evelyn Boyd' });
  await dialog.waitFor();
  assert.equal(await dialog.locator('input[name=voice]').isDisabled(), true, 'voice is a beta channel, off');
  // Saving the mobile sent a confirmation a moment ago: asking again now is refused.
  await dialog.locator('input[name=sms]').check();
  await dialog.getByRole('button', { name: 'Request subscriptions' }).click();
  await dialog.getByText(/moments ago/).waitFor();

  // Each confirmation is in the Message log (no SMS gateway or SMTP server is configured).
  for (const to of ['+12025550170', 'evelyn@example.com']) {
    let href = null;
    for (let i = 0; i < 50 && !href; i++) {
      await page.goto(`${base}/messages`);
      const link = page.locator('table.messages tbody tr', { hasText: to }).locator('a');
      if (await link.count()) href = await link.first().getAttribute('href');
      else await page.waitForTimeout(200);
    }
    assert.ok(href && href.includes('/confirm/'), `a link to ${to}`);
    await page.goto(href);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('Confirmed:').waitFor();
  }
  // The delivery log shows both confirmations delivered (captured), and filters by state.
  await page.goto(`${base}/deliveries`);
  await page.getByRole('link', { name: /^delivered \(\d+\)$/ }).click();
  await page.waitForURL(/status=delivered/);
  for (const to of ['+12025550170', 'evelyn@example.com']) {
    const delivered = page.locator('table.deliveries tbody tr', { hasText: to });
    await delivered.getByText('delivered', { exact: true }).waitFor();
    await delivered.locator('.last-answer', { hasText: 'captured in the Message log' }).waitFor();
    // Each attempt opens under its summary.
    await delivered.getByText('1 attempt', { exact: true }).click();
    await delivered.locator('ol.attempts li', { hasText: 'captured' }).waitFor();
  }
  await page.getByRole('link', { name: /^dead \(0\)$/ }).click();
  await page.getByText('No deliveries here.').waitFor();
  await page.goto(`${base}/?q=Evelyn`);
  await row.locator('.chip.state-confirmed', { hasText: 'SMS' }).waitFor();
  const button = page.locator(`#op-subscribe-${id}`);
  await button.waitFor();
  assert.equal(await button.isDisabled(), true);
  await page.goto(`${base}/engineers/${id}/subscribe?q=Evelyn`);
  await page.getByText('Every method is confirmed').waitFor();
  assert.equal(await page.locator('input[name=sms]').isChecked(), true);
  assert.equal(await page.locator('input[name=sms]').isDisabled(), true);
});

test('an SDSiteAdmin manages only its sites; a plain engineer edits only their own contacts', async () => {
  const base = env.server.base;
  await xml(base, 'AddTechnician', { name: 'Placeholder' });
  const site = 'Hampton';
  crewdesk(env.server.db, 'site', 'add', site);
  await addTechnician(base, { name: 'Site Admin', loginName: 'site.admin', pwd: 'site-lantern-quartz-1', enableLogin: 'true', associateRols: 'SDSiteAdmin', techSiteName: site });
  const local = await addTechnician(base, { name: 'Local Engineer', techSiteName: site });
  const plain = await addTechnician(base, { name: 'Plain Engineer', loginName: 'plain', pwd: 'plain-lantern-quartz-1', enableLogin: 'true' });

  const sitePage = await (await env.browser.newContext()).newPage();
  await signIn(sitePage, base, 'site.admin', 'site-lantern-quartz-1');
  await sitePage.goto(`${base}/?q=Engineer`);
  await row(sitePage, 'Local Engineer').waitFor();
  assert.equal(await sitePage.locator(`#op-edit-${local}`).evaluate((el) => el.tagName), 'A');
  assert.equal(await sitePage.locator(`#op-edit-${plain}`).isDisabled(), true);
  // The service refuses even when the dialog is opened by address.
  await sitePage.goto(`${base}/engineers/${plain}/edit`);
  await sitePage.getByRole('alert').filter({ hasText: 'outside yours' }).waitFor();

  const plainPage = await (await env.browser.newContext()).newPage();
  await signIn(plainPage, base, 'plain', 'plain-lantern-quartz-1');
  await plainPage.goto(`${base}/engineers/${plain}/edit`);
  const dialog = plainPage.getByRole('dialog');
  await dialog.getByText('Contact methods').waitFor();
  assert.equal(await dialog.locator('#f-jobTitle').count(), 0, 'only contact fields');
  await plainPage.fill('#f-mobile', '+1 202 555 0199');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await plainPage.getByText('Changes saved.').waitFor();
  assert.match(await xml(base, 'GetTechnician', { userid: plain }), /\+1 202 555 0199/);
});

test('the console speaks Chinese to a Chinese browser and switches language on request', async () => {
  const context = await env.browser.newContext({ locale: 'zh-CN', extraHTTPHeaders: { 'Accept-Language': 'zh-CN,zh;q=0.9' } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await signIn(page, env.server.base);
  await page.getByRole('heading', { name: '运维工程师管理' }).waitFor();
  await page.getByRole('button', { name: '同步工程师信息' }).click();
  await page.getByText('尚未配置目录服务').waitFor();
  // Messages from the parsers and the server are translated too.
  await page.goto(`${env.server.base}/engineers/new`);
  await page.fill('#f-name', '测试');
  await page.fill('#f-email', 'ops@localhost');
  await page.getByRole('button', { name: '添加技术员' }).click();
  await page.locator('.field-error', { hasText: '@ 后需要域名' }).waitFor();
  // The refused add is an HTTP error the browser logs; that one is expected.
  errors.length = 0;
  await page.goto(`${env.server.base}/`);
  await page.getByRole('link', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'O&M Engineer Management' }).waitFor();
  assert.deepEqual(errors, []);
});

test('the dialogs work without JavaScript', async () => {
  const id = await addTechnician(env.server.base, { name: 'Gladys West' });
  const page = await (await env.browser.newContext({ javaScriptEnabled: false })).newPage();
  await signIn(page, env.server.base);
  await page.goto(`${env.server.base}/?q=Gladys`);
  await page.click(`#op-edit-${id}`);
  await page.fill('#f-jobTitle', 'Geodesist');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(/updated=/);
  await page.getByText('Changes saved.').waitFor();
  assert.match(await row(page, 'Gladys West').innerText(), /Gladys West/);
  assert.match(await xml(env.server.base, 'GetTechnician', { userid: id }), /Geodesist/);
});
