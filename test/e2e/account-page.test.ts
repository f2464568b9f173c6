import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from './support/chromium.js';
import { type RunningKeycard, startKeycard, startOtherOrigin } from './support/e2e-servers.js';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a different horse, stapled';
const ACCESS_TTL_SECONDS = 2;
/** Screenshots of failed tests (gitignored). */
const FAILURES = new URL('../../test-results/e2e/', import.meta.url);
const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

let emails = 0;
const uniqueEmail = () => `e2e-${process.pid}-${++emails}@example.com`;

describe.runIf(chromiumAvailable())('the account page in Chromium', () => {
  let browser: Browser;
  let keycard: RunningKeycard;
  let contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [browser, keycard] = await Promise.all([launchChromium(), startKeycard(ACCESS_TTL_SECONDS)]);
  });
  afterAll(async () => {
    await browser.close();
    await keycard.close();
  });
  // A failed test leaves a screenshot of each of its pages (before they close) in test-results/e2e/.
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') {
      mkdirSync(FAILURES, { recursive: true });
      const name = task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 80);
      const pages = contexts.flatMap((context) => context.pages());
      await Promise.all(
        pages.map((page, index) =>
          page.screenshot({ path: new URL(`${name}-${index}.png`, FAILURES).pathname }),
        ),
      );
    }
    await Promise.all(contexts.map((context) => context.close()));
    contexts = [];
  });

  async function openPage(options: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext(options);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${keycard.url}/`);
    return page;
  }

  async function signUp(page: Page, email: string): Promise<void> {
    await page.locator('#signed-out').waitFor();
    await page.getByLabel('Email').nth(1).fill(email);
    await page.locator('#sign-up-password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Your devices' }).waitFor();
  }

  async function signIn(page: Page, email: string, remember = true): Promise<void> {
    await page.locator('#signed-out').waitFor();
    await page.locator('#sign-in-email').fill(email);
    await page.locator('#sign-in-password').fill(PASSWORD);
    await page.getByLabel('Remember me on this device').first().setChecked(remember);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Your devices' }).waitFor();
  }

  const devices = (page: Page) => page.locator('#devices tbody tr');
  const notice = (page: Page) => page.getByRole('alert');

  it('signs up, shows this device, signs out, and signs in again without “remember me”', async () => {
    const page = await openPage();
    const email = uniqueEmail();
    await signUp(page, email);
    await expect.poll(() => page.locator('#who').textContent()).toBe(`Signed in as ${email}`);
    await expect.poll(() => devices(page).count()).toBe(1);
    const row = devices(page).first();
    expect(await row.textContent()).toMatch(/Chrome [\d.]+ on Linux\s*\(this device\)/);
    expect(await row.locator('td').nth(1).textContent()).toBe('20200115');

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.locator('#signed-out').waitFor();
    await expect.poll(() => notice(page).textContent()).toBe('You signed out.');
    expect(await page.context().cookies()).toEqual([]);

    await signIn(page, email, false);
    const cookies = await page.context().cookies();
    const access = cookies.find((cookie) => cookie.name === '__Host-keycard');
    // Without “remember me”: a short session (90 minutes idle), and cookies that go with it.
    expect(access?.expires).toBeLessThanOrEqual(Date.now() / 1000 + 90 * 60 + 5);
    expect(access?.expires).toBeGreaterThan(Date.now() / 1000 + 60 * 60);
  });

  it('can be used with the keyboard alone', async () => {
    const email = uniqueEmail();
    const setup = await openPage();
    await signUp(setup, email);
    await setup.context().clearCookies();

    const page = await openPage();
    await page.locator('#signed-out').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('sign-in-email');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Tab'); // Remember me
    await page.keyboard.press('Tab'); // Sign in
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Your devices' }).waitFor();
    // Focus moves to the devices list, so a screen reader announces where the person is.
    await expect
      .poll(() => page.evaluate<string | undefined>('document.activeElement?.id'))
      .toBe('devices-title');
  });

  it('signs every tab of the browser out at once', async () => {
    const first = await openPage();
    await signUp(first, uniqueEmail());
    const second = await first.context().newPage();
    await second.goto(`${keycard.url}/`);
    await second.getByRole('heading', { name: 'Your devices' }).waitFor();

    await first.getByRole('button', { name: 'Sign out', exact: true }).click();
    await second.locator('#signed-out').waitFor();
    await expect.poll(() => notice(second).textContent()).toBe('You signed out.');
  });

  it('keeps the session cookie out of reach of scripts: document.cookie is empty', async () => {
    const page = await openPage();
    await signUp(page, uniqueEmail());
    expect(await page.evaluate<string>('document.cookie')).toBe('');
    const cookies = await page.context().cookies();
    expect(cookies.map((cookie) => [cookie.name, cookie.httpOnly, cookie.secure, cookie.sameSite])).toEqual(
      expect.arrayContaining([
        ['__Host-keycard', true, true, 'Lax'],
        ['__Secure-keycard-refresh', true, true, 'Lax'],
      ]),
    );
  });

  it('signs one device out from another; that one sees why on its next action', async () => {
    const email = uniqueEmail();
    const laptop = await openPage({ userAgent: FIREFOX_ON_WINDOWS });
    await signUp(laptop, email);
    const phone = await openPage({ viewport: { width: 1000, height: 560 } });
    await signIn(phone, email);

    await expect.poll(() => devices(phone).count()).toBe(2);
    const laptopRow = devices(phone).filter({ hasText: 'Firefox 133.0 on Windows 10' });
    expect(await laptopRow.textContent()).not.toContain('(this device)');
    if (process.env.KEYCARD_E2E_DOCS_SCREENSHOT === '1') {
      await phone.screenshot({ path: new URL('../../docs/devices.png', import.meta.url).pathname });
    }
    await laptopRow.getByRole('button', { name: /^Sign out Firefox/ }).click();
    await expect.poll(() => devices(phone).count()).toBe(1);
    await expect.poll(() => notice(phone).textContent()).toBe('Firefox 133.0 on Windows 10 was signed out.');

    // The laptop does not know yet; its next action tells it, in words.
    await laptop.getByRole('button', { name: 'Refresh list' }).click();
    await laptop.locator('#signed-out').waitFor();
    await expect.poll(() => notice(laptop).textContent()).toBe('You were signed out from another device.');
    expect(await laptop.context().cookies()).toEqual([]);
  });

  it('changes the password behind the current one; other devices are signed out, this one carries on', async () => {
    const email = uniqueEmail();
    const laptop = await openPage({ userAgent: FIREFOX_ON_WINDOWS });
    await signUp(laptop, email);
    const page = await openPage();
    await signIn(page, email);
    await expect.poll(() => devices(page).count()).toBe(2);
    const change = async (current: string) => {
      await page.getByLabel('Current password', { exact: true }).fill(current);
      await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Change password' }).click();
    };

    // The step-up: a wrong current password changes nothing.
    await change('not my password at all');
    await expect.poll(() => notice(page).textContent()).toBe('The email or password is incorrect.');
    await expect.poll(() => devices(page).count()).toBe(2);

    await change(PASSWORD);
    await expect
      .poll(() => notice(page).textContent())
      .toBe('Your password was changed, and your other devices were signed out.');
    await expect.poll(() => devices(page).count()).toBe(1);
    // This session carries on (its tokens were refreshed by themselves after the stamp moved)...
    await page.getByRole('button', { name: 'Refresh list' }).click();
    await expect.poll(() => devices(page).count()).toBe(1);
    expect(await page.locator('#signed-in').isVisible()).toBe(true);
    // ...the laptop is signed out on its next action, and only the new password signs in.
    await laptop.getByRole('button', { name: 'Refresh list' }).click();
    await laptop.locator('#signed-out').waitFor();
    await laptop.locator('#sign-in-email').fill(email);
    await laptop.locator('#sign-in-password').fill(PASSWORD);
    await laptop.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => notice(laptop).textContent()).toBe('The email or password is incorrect.');
    await laptop.locator('#sign-in-password').fill(NEW_PASSWORD);
    await laptop.getByRole('button', { name: 'Sign in', exact: true }).click();
    await laptop.getByRole('heading', { name: 'Your devices' }).waitFor();
  });

  it('refreshes silently once the access token has expired', async () => {
    const page = await openPage();
    await signUp(page, uniqueEmail());
    const refreshes: number[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('/session/refresh')) refreshes.push(response.status());
    });
    const before = (await page.context().cookies()).find((cookie) => cookie.name === '__Host-keycard')?.value;
    await page.waitForTimeout((ACCESS_TTL_SECONDS + 1) * 1000);

    await page.getByRole('button', { name: 'Refresh list' }).click();
    await expect.poll(() => refreshes).toEqual([200]);
    await expect.poll(() => devices(page).count()).toBe(1);
    expect(await notice(page).isHidden()).toBe(true);
    const after = (await page.context().cookies()).find((cookie) => cookie.name === '__Host-keycard')?.value;
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
  });

  it('refuses a cross-origin form POST and a cross-origin fetch, and nothing changes', async () => {
    const other = await startOtherOrigin(keycard.url);
    try {
      const page = await openPage();
      await signUp(page, uniqueEmail());
      const ended = () => keycard.events.filter((event) => event.type === 'session_ended').length;
      const endedBefore = ended();
      const attacker = await page.context().newPage();
      await attacker.goto(`${other.url}/`);

      // A form needs no script and no preflight, and the browser attaches the cookies (same site).
      const [signOutAnswer] = await Promise.all([
        attacker.waitForResponse((response) => response.url().endsWith('/auth/sign_out')),
        attacker.getByRole('button', { name: 'Win a prize' }).click(),
      ]);
      expect([403, 415]).toContain(signOutAnswer.status());
      await attacker.goto(`${other.url}/`);
      const [refreshAnswer] = await Promise.all([
        attacker.waitForResponse((response) => response.url().endsWith('/session/refresh')),
        attacker.getByRole('button', { name: 'Another prize' }).click(),
      ]);
      expect([403, 415]).toContain(refreshAnswer.status());
      await attacker.goto(`${other.url}/`);

      // A script of the other origin: with the CSRF header it needs a preflight, which Keycard does not approve.
      const withHeader = await attacker.evaluate(async (target) => {
        try {
          await fetch(`${target}/sessions`, {
            method: 'DELETE',
            credentials: 'include',
            headers: { 'x-keycard-csrf': '1' },
          });
          return 'sent';
        } catch (error) {
          return `refused: ${String(error)}`;
        }
      }, keycard.url);
      expect(withHeader).toMatch(/^refused: TypeError/);
      // Without it, a blind no-cors request reaches Keycard, which refuses it for want of the header.
      const [blindAnswer] = await Promise.all([
        attacker.waitForResponse((response) => response.url().endsWith('/auth/sign_out')),
        attacker.evaluate(async (target) => {
          await fetch(`${target}/auth/sign_out`, { method: 'POST', mode: 'no-cors', credentials: 'include' });
        }, keycard.url),
      ]);
      expect(blindAnswer.status()).toBe(403);

      expect(ended()).toBe(endedBefore);
      await page.getByRole('button', { name: 'Refresh list' }).click();
      await expect.poll(() => devices(page).count()).toBe(1);
      expect(await notice(page).isHidden()).toBe(true);
    } finally {
      await other.close();
    }
  });
});
