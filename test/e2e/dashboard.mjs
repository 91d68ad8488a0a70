// The dashboard of an end-to-end cloud in a real browser: headless Chromium (the project's test host:
// Debian's chromium driven by playwright-core) opens the login page, signs in as each user the way a
// person does (domain, user name, password typed into the form), opens the instances and images pages,
// takes a screenshot of each, and signs out. The passwords are typed into the page only: never in argv,
// and the screenshots show the password field masked (and only before it is sent).
import fs from 'node:fs';
import path from 'node:path';
import { vscodeHost } from '../../scripts/vscode-host.mjs';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * @param {{ url: string, users: { user: string, password: string, domain?: string }[], outDir: string }} o
 * @returns {Promise<string[]>} one line of evidence per page: the user, the page, its heading, the screenshot
 */
export async function signInDashboard({ url, users, outDir }) {
  const host = vscodeHost();
  const { chromium } = host.playwright();
  fs.mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({ executablePath: host.chromium, headless: true, args: ARGS });
  const evidence = [];
  try {
    for (const { user, password, domain = 'Default' } of users) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      try {
        const page = await context.newPage();
        const shot = async (name) => {
          const file = path.join(outDir, `${user}-${name}.png`);
          await page.screenshot({ path: file, fullPage: false });
          return path.basename(file);
        };
        await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60000 });
        // An anonymous visitor lands on the login form.
        await page.waitForSelector('#id_username', { timeout: 60000 });
        if (!/\/auth\/login\//.test(page.url())) throw new Error(`${url} did not lead to the login page (${page.url()})`);
        if (await page.$('#id_domain')) await page.fill('#id_domain', domain);
        await page.fill('#id_username', user);
        await page.fill('#id_password', password);
        evidence.push(`${user}: login page ${page.url()} (${await shot('1-login')})`);
        await Promise.all([page.waitForURL((u) => !/\/auth\/login\//.test(u.pathname), { timeout: 120000 }), page.click('#loginBtn')]);
        await page.waitForLoadState('domcontentloaded');
        // Signed in: the user menu names the user.
        const menu = (await page.textContent('.dropdown.user-menu, #profile_editor_switcher, .navbar-right', { timeout: 60000 })) ?? '';
        if (!menu.includes(user)) throw new Error(`after signing in as ${user}, the page's user menu does not name ${user} (${page.url()})`);
        evidence.push(`${user}: signed in, ${page.url()} (${await shot('2-home')})`);
        for (const [name, p, heading] of [
          ['3-instances', 'project/instances/', 'Instances'],
          ['4-images', 'project/images', 'Images'],
        ]) {
          const res = await page.goto(new URL(p, url).href, { waitUntil: 'domcontentloaded', timeout: 120000 });
          if (/\/auth\/login\//.test(page.url())) throw new Error(`${p} sent ${user} back to the login page`);
          if (!res || res.status() !== 200) throw new Error(`${p} answered HTTP ${res?.status()} for ${user}`);
          // The images page is an Angular view: wait until its table is drawn.
          await page.waitForSelector(name === '4-images' ? 'hz-resource-table table, table' : 'table', { timeout: 120000 });
          const title = (await page.textContent('h1, .page-header', { timeout: 60000 }))?.trim().replace(/\s+/g, ' ') ?? '';
          if (!title.includes(heading)) throw new Error(`${p} for ${user}: heading "${title}", expected "${heading}"`);
          // The page says nothing went wrong (horizon shows an API's refusal as an error message).
          const alert = await page.$('.alert-danger, .alert-error');
          if (alert) throw new Error(`${p} for ${user}: "${(await alert.textContent())?.trim().replace(/\s+/g, ' ')}" (${await shot(name)})`);
          evidence.push(`${user}: ${page.url()} "${title}" (${await shot(name)})`);
        }
        await page.goto(new URL('auth/logout/', url).href, { waitUntil: 'domcontentloaded', timeout: 60000 });
        await page.waitForSelector('#id_username', { timeout: 60000 });
        evidence.push(`${user}: signed out, back at ${page.url()}`);
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
  return evidence;
}
