// A person drives every XML API operation from the sample forms in a real browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, withServerAndBrowser } from './harness.mjs';

const env = withServerAndBrowser({ before, after });

async function credentials(page) {
  await page.fill('#f-username', ADMIN.login);
  await page.fill('#f-password', ADMIN.password);
}

// Submits the form and reads the XML envelope the browser shows.
async function submit(page, button) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/servlets/RequestServlet')),
    page.getByRole('button', { name: button }).click(),
  ]);
  assert.equal(response.headers()['content-type'], 'application/xml; charset=utf-8');
  return response.text();
}

function value(xml, tag) {
  const m = xml.match(new RegExp(`<${tag}>([^<]*)</${tag}>`));
  return m ? m[1] : null;
}

function detail(xml, key) {
  const m = xml.match(new RegExp(`<propname key="${key}">([^<]*)</propname>`));
  return m ? m[1] : null;
}

test('add, update, get and delete a technician from the sample forms', async () => {
  const page = await (await env.browser.newContext()).newPage();

  await page.goto(`${env.server.base}/servlets/forms`);
  await page.getByRole('link', { name: 'Add technician' }).click();
  await credentials(page);
  await page.fill('#f-name', 'Grace Hopper');
  await page.fill('#f-email', 'grace@example.com');
  await page.fill('#f-jobTitle', 'Rear Admiral');
  await page.fill('#f-loginName', 'grace');
  let xml = await submit(page, 'Add technician');
  assert.equal(value(xml, 'operationstatus'), 'Success', xml);
  const userid = value(xml, 'userid');
  assert.ok(userid, xml);

  // Only the filled-in field changes: the empty ones are not sent.
  await page.goto(`${env.server.base}/servlets/forms/update-technician`);
  await credentials(page);
  await page.fill('#f-techLoginName', 'grace');
  await page.fill('#f-mobile', '+1 202 555 0142');
  xml = await submit(page, 'Update technician');
  assert.equal(value(xml, 'operationstatus'), 'Success', xml);

  // Ticking "clear" empties a field on purpose.
  await page.goto(`${env.server.base}/servlets/forms/update-technician`);
  await credentials(page);
  await page.fill('#f-userid', userid);
  await page.check('input[data-clear="jobTitle"]');
  xml = await submit(page, 'Update technician');
  assert.equal(value(xml, 'operationstatus'), 'Success', xml);

  await page.goto(`${env.server.base}/servlets/forms/get-technician`);
  await credentials(page);
  await page.fill('#f-techEmailId', 'grace@example.com');
  xml = await submit(page, 'Get technician');
  assert.equal(value(xml, 'operationstatus'), 'Success', xml);
  assert.equal(detail(xml, 'name'), 'Grace Hopper');
  assert.equal(detail(xml, 'mobile'), '+1 202 555 0142');
  assert.equal(detail(xml, 'email'), 'grace@example.com');
  assert.equal(detail(xml, 'jobTitle'), '');

  await page.goto(`${env.server.base}/servlets/forms/delete-technician`);
  await credentials(page);
  await page.fill('#f-loginName', 'grace');
  xml = await submit(page, 'Delete technician');
  assert.equal(value(xml, 'operationstatus'), 'Success', xml);
  assert.equal(value(xml, 'userid'), userid);

  await page.goto(`${env.server.base}/servlets/forms/get-technician`);
  await credentials(page);
  await page.fill('#f-userid', userid);
  xml = await submit(page, 'Get technician');
  assert.equal(value(xml, 'errorcode'), 'TECHNICIAN_NOT_FOUND', xml);
});

test('a wrong password on a sample form answers AUTH_FAILED in the envelope', async () => {
  const page = await (await env.browser.newContext()).newPage();
  await page.goto(`${env.server.base}/servlets/forms/get-technician`);
  await page.fill('#f-username', ADMIN.login);
  await page.fill('#f-password', 'not-the-password');
  await page.fill('#f-userid', '1');
  const xml = await submit(page, 'Get technician');
  assert.equal(value(xml, 'errorcode'), 'AUTH_FAILED', xml);
});
