// `cargo xtask bench lighthouse`: Lighthouse (mobile, CPU slowed 4x in the browser itself) on
// signed-in screens. Signs in through the page as `login`, then audits each path with the
// same profile, so that the app opens as it does on a volunteer's phone: from its service
// worker, with its data in IndexedDB. Prints one JSON line per screen.
//
// usage: node audit.mjs BASE_URL LOGIN PATH...
import puppeteer from 'puppeteer-core';
import lighthouse from 'lighthouse';

const [base, login, ...paths] = process.argv.slice(2);
const port = 9000 + Math.floor(Math.random() * 900);
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: 'new',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
    '--disable-background-networking', '--disable-component-update', '--lang=ja',
    `--remote-debugging-port=${port}`],
  userDataDir: process.env.PROFILE_DIR,
});
const page = await browser.newPage();
await page.goto(`${base}/settings`);
await page.waitForSelector('input[name=login_id]');
await page.type('input[name=login_id]', login);
await page.type('input[name=password]', 'mimamori-demo');
await page.click('[data-action=sign-in]');
await page.waitForFunction(() => document.body.innerText.includes('最終同期 今日'), { timeout: 120000 });
// Coordinators move to their own build: wait for it to settle.
await new Promise((r) => setTimeout(r, 3000));
await page.waitForFunction(() => document.body.innerText.includes('最終同期 今日'), { timeout: 120000 });
const prefix = await page.evaluate(() => (location.pathname.startsWith('/sc') ? '/sc' : ''));
for (const path of paths) {
  const result = await lighthouse(`${base}${prefix}${path}`, {
    port, output: 'json', onlyCategories: ['performance'], disableStorageReset: true,
    logLevel: 'error', throttlingMethod: 'devtools',
  });
  const audits = result.lhr.audits;
  console.log(JSON.stringify({
    login,
    path,
    performance: Math.round(result.lhr.categories.performance.score * 100),
    tbt_ms: Math.round(audits['total-blocking-time'].numericValue),
    lcp_ms: Math.round(audits['largest-contentful-paint'].numericValue),
    cls: Math.round(audits['cumulative-layout-shift'].numericValue * 1000) / 1000,
    longest_task_ms: Math.round(Math.max(0, ...(audits['long-tasks']?.details?.items || []).map((t) => t.duration))),
  }));
}
await browser.close();
