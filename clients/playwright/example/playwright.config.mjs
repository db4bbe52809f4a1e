// The example suite's config: Debian's chromium (Playwright's own browser download is not needed),
// one worker (a context is a time window of each service process), bounded waits.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  workers: 1,
  reporter: 'list',
  timeout: 60_000,
  globalTimeout: 300_000,
  use: {
    baseURL: process.env.SERVICE_URL,
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      // Playwright adds --headless and a fresh --user-data-dir of its own.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
