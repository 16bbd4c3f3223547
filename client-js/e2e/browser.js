/**
 * Launches Debian's Chromium through playwright-core (no browser download): headless, no sandbox (CI runs as
 * root), no background traffic. Playwright gives every launch a fresh, throw-away profile directory.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const screenshots = join(dirname(fileURLToPath(import.meta.url)), '..', 'target', 'e2e');

export async function launch() {
  mkdirSync(screenshots, { recursive: true });
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}
