// Screenshots of the console for the README: the engineer page and the Edit dialog, in
// English and Simplified Chinese, against demo data. Run by scripts/screenshots.sh.
import { chromium } from 'playwright-core';

const [base, password, out] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
for (const [lang, accept] of [['en', 'en'], ['zh-CN', 'zh-CN,zh;q=0.9']]) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, extraHTTPHeaders: { 'Accept-Language': accept } });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill('#login', 'admin');
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/`);
  await page.locator('table.roster').waitFor();
  await page.screenshot({ path: `${out}/engineers-${lang}.png` });
  await page.locator('a[id^=op-edit-]').nth(2).click();
  await page.getByRole('dialog').locator('#f-name').waitFor();
  await page.screenshot({ path: `${out}/edit-dialog-${lang}.png` });
  await context.close();
}
await browser.close();
