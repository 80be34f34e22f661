// Debian's Chromium drives every test (Playwright never downloads a browser here). Two
// servers: one cross-origin isolated (threaded engine), one not (single-threaded engine).
// E2E_PORT (default 8181) and E2E_PORT+1 are the two servers; CONVLAB_GEN picks the engine
// build they serve at /gen/ (default web/gen), so parallel checkouts of work do not collide.
const { defineConfig } = require('@playwright/test');

const port = Number(process.env.E2E_PORT || 8181);
const gen = process.env.CONVLAB_GEN ? ` --gen ${process.env.CONVLAB_GEN}` : '';

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
  outputDir: process.env.E2E_OUT || '../build/test-results',
  reporter: [['list'], ['json', { outputFile: process.env.E2E_JSON || '../build/e2e-results.json' }]],
  use: {
    baseURL: `http://localhost:${port}`,
    // The service worker (web/sw.js) is tested by offline.spec.js and static-host.spec.js, which
    // allow it; elsewhere it is blocked, so each test gets the files the server has now and no
    // first-visit reload for isolation on the plain server.
    serviceWorkers: 'block',
    launchOptions: { executablePath: '/usr/bin/chromium', args: chromiumArgs },
  },
  webServer: [
    { command: `node tools/serve.mjs --port ${port}${gen}`, cwd: '..', port, reuseExistingServer: false },
    { command: `node tools/serve.mjs --port ${port + 1} --no-isolation${gen}`, cwd: '..', port: port + 1, reuseExistingServer: false },
  ],
});
module.exports.chromiumArgs = chromiumArgs;
module.exports.isolatedURL = `http://localhost:${port}`;
module.exports.plainURL = `http://localhost:${port + 1}`;
