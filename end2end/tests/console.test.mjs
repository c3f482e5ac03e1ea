import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { signIn, withServerAndBrowser, addTechnician, sql, waitForHydration } from './harness.mjs';

const env = withServerAndBrowser({ before, after });

test('an admin signs in, adds a technician through the form and finds it in the table', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (err) => errors.push(String(err)));

  await signIn(page, env.server.base);
  await page.getByRole('heading', { name: 'O&M Engineer Management' }).waitFor();

  // No directory is configured on this server: the button says so.
  await page.getByRole('button', { name: 'Synchronize Engineer Info' }).click();
  await page.getByText(/no directory is configured yet/).waitFor({ timeout: 10000 });

  await page.getByRole('link', { name: 'Add technician' }).click();
  await page.fill('#f-name', 'Katherine Johnson');
  await page.fill('#f-email', 'katherine@example.com');
  await page.fill('#f-mobile', '+1 757 555 0101');
  await page.getByRole('button', { name: 'Add technician' }).click();
  await page.getByText('Technician added.').waitFor({ timeout: 10000 });
  const row = page.locator('table.roster tbody tr', { hasText: 'Katherine Johnson' });
  await row.waitFor();
  assert.match(await row.innerText(), /katherine@example\.com/);
  // The one expected failure is the button's 409 (no directory) that the page showed.
  assert.deepEqual(errors.filter((e) => !e.includes('409 (Conflict)')), []);
  await context.close();
});

test('a bad email is shown beside its field and nothing is added', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await signIn(page, env.server.base);
  await page.goto(`${env.server.base}/engineers/new`);
  await page.getByRole('heading', { name: 'Add technician' }).waitFor();
  await page.fill('#f-name', 'Bad Mail');
  await page.fill('#f-email', 'ops@localhost');
  // Checked as typed, then refused by the server: the form comes back with the reason
  // beside the field and what was typed still in it.
  await page.locator('#f-email-msg', { hasText: 'domain' }).waitFor();
  await page.getByRole('button', { name: 'Add technician' }).click();
  await page.waitForURL(/__err=/, { timeout: 10000 });
  await waitForHydration(page);
  await page.locator('#f-email-msg', { hasText: 'domain' }).waitFor();
  assert.equal(await page.inputValue('#f-name'), 'Bad Mail');
  assert.equal(await page.inputValue('#f-email'), 'ops@localhost');
  await page.goto(`${env.server.base}/?q=Bad%20Mail`);
  await page.getByText('No engineers match.').waitFor();
  await context.close();
});

test('the console is usable with JavaScript disabled', async () => {
  const context = await env.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, env.server.base);
  await page.getByRole('heading', { name: 'O&M Engineer Management' }).waitFor();
  await page.goto(`${env.server.base}/engineers/new`);
  await page.fill('#f-name', 'Dorothy Vaughan');
  await page.getByRole('button', { name: 'Add technician' }).click();
  await page.waitForURL(/\/\?q=Dorothy/);
  await page.locator('table.roster tbody tr', { hasText: 'Dorothy Vaughan' }).waitFor();
  await page.fill('input[name=q]', 'nobody-by-this-name');
  await page.press('input[name=q]', 'Enter');
  await page.getByText('No engineers match.').waitFor();
  await context.close();
});

test('Next and Previous page through a search in the browser, each page starting where the last ended', async () => {
  await Promise.all(Array.from({ length: 30 }, (_, i) =>
    addTechnician(env.server.base, { name: `Pager Person ${String(i).padStart(2, '0')}` })));
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await signIn(page, env.server.base);
  await page.goto(`${env.server.base}/?q=Pager%20Person`);
  const rows = page.locator('table.roster tbody tr');
  await page.getByText('30 engineers · page 1 of 2').waitFor();
  assert.equal(await rows.count(), 25);
  assert.match(await rows.last().innerText(), /Pager Person 24/);

  await page.getByRole('link', { name: 'Next' }).click();
  await page.getByText('30 engineers · page 2 of 2').waitFor();
  assert.equal(await rows.count(), 5);
  assert.match(await rows.first().innerText(), /Pager Person 25/);
  assert.match(page.url(), /page=2&after=/);
  assert.equal(await page.getByRole('link', { name: 'Next' }).count(), 0);

  await page.getByRole('link', { name: 'Previous' }).click();
  await page.getByText('30 engineers · page 1 of 2').waitFor();
  assert.match(await rows.first().innerText(), /Pager Person 00/);
  assert.equal(await page.getByRole('link', { name: 'Previous' }).count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('fifteen engineers fit a 1280×900 screen in both languages, each with ten compact channel chips', async () => {
  // Full rows: an alias, a mobile, a long email, a login, a failing chat channel.
  const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => addTechnician(env.server.base, {
    name: `Dense Person ${String(i).padStart(2, '0')}`, alias: 'On call', loginName: `dense.person${i}`,
    mobile: `+86 138 0013 ${8000 + i}`, email: `dense.person.${i}@operations.example.com`,
  })));
  sql(env.server.db, `INSERT INTO settings (key, value) VALUES ('beta.slack', 'on')`);
  sql(env.server.db, `INSERT INTO contact_points (technician_id, channel, address, updated_at) VALUES (${ids[0]}, 'slack', 'https://hooks.slack.com/services/T/B/x', 0)`);
  // What delivery learns when Slack answers that the webhook is gone.
  sql(env.server.db, `INSERT INTO contact_health (technician_id, channel, failing, failing_since, answer, last_failure_at)
    VALUES (${ids[0]}, 'slack', 1, 1, 'HTTP 404 no_service', 1)`);
  for (const [lang, accept, failing, pending] of [
    ['en', 'en', 'Slack: failing', 'SMS: pending'],
    ['zh-CN', 'zh-CN,zh;q=0.9', 'Slack: 发送失败', '短信: 待确认'],
  ]) {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, extraHTTPHeaders: { 'Accept-Language': accept } });
    const page = await context.newPage();
    await signIn(page, env.server.base);
    await page.goto(`${env.server.base}/?q=Dense%20Person`);
    const rows = page.locator('table.roster tbody tr');
    await rows.nth(19).waitFor();
    const fit = await page.evaluate(() => [...document.querySelectorAll('table.roster tbody tr')]
      .filter((row) => row.getBoundingClientRect().bottom <= window.innerHeight).length);
    assert.ok(fit >= 15, `${lang}: only ${fit} engineers fit 1280×900`);
    // Nothing is pushed off to the side: no sideways scrolling, the operations side by side.
    const sideways = await page.locator('.table-wrap').evaluate((wrap) => wrap.scrollWidth - wrap.clientWidth);
    assert.ok(sideways <= 0, `${lang}: the table scrolls sideways by ${sideways}px`);
    const ops = await rows.first().locator('.ops > *').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()));
    assert.equal(ops.length, 3);
    assert.ok(ops.every((r) => r.right <= 1280 && r.top === ops[0].top), `${lang}: ${JSON.stringify(ops)}`);
    // Ten chips, each state in words for a screen reader and a tooltip; the marks explained once.
    const chips = rows.first().locator('.chip');
    assert.equal(await chips.count(), 10);
    const words = await chips.locator('.sr-only').allInnerTexts();
    assert.ok(words.includes(failing), `${lang}: ${words}`);
    assert.ok(words.includes(pending), `${lang}: ${words}`);
    assert.equal(await chips.first().getAttribute('title'), pending);
    assert.equal(await page.locator('.legend').count(), 1);
    await context.close();
  }
});
