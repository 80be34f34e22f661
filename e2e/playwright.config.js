// Debian's Chromium drives every test (Playwright never downloads a browser here). Two
// servers: one cross-origin isolated (threaded engine), one not (single-threaded engine).
const { defineConfig } = require('@playwright/test');

const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
];

module.exports = defineConfig({
  testDir: '.',
  testMatch: '*.spec.js',
  timeout: 120_000,
  workers: 1,
  retries: 0,
  outputDir: '../build/test-results',
  reporter: [['list'], ['json', { outputFile: '../build/e2e-results.json' }]],
  use: {
    baseURL: 'http://localhost:8181',
    launchOptions: { executablePath: '/usr/bin/chromium', args: chromiumArgs },
  },
  webServer: [
    { command: 'node tools/serve.mjs --port 8181', cwd: '..', port: 8181, reuseExistingServer: false },
    { command: 'node tools/serve.mjs --port 8182 --no-isolation', cwd: '..', port: 8182, reuseExistingServer: false },
  ],
});
module.exports.chromiumArgs = chromiumArgs;
