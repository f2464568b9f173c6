import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it when missing). */
export const CHROMIUM_PATH = process.env.KEYCARD_E2E_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Whether the browser tests can run. On CI (CI=true) a missing browser fails the run instead of skipping the
 * tests; elsewhere they are skipped with a line saying why.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI === 'true') {
    throw new Error(`Chromium is not at ${CHROMIUM_PATH}, and CI=true requires the browser tests`);
  }
  console.warn(`Chromium is not at ${CHROMIUM_PATH}: skipping the browser tests (apt-get install chromium)`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Containers and CI run as root, where Chromium's sandbox cannot start.
    args: ['--no-sandbox'],
  });
}
