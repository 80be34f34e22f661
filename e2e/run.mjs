// Runs the Playwright suite and ends with the plain "N passed, N failed" line CI reads.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const r = spawnSync('./node_modules/.bin/playwright', ['test', '-c', 'e2e/playwright.config.js', ...process.argv.slice(2)],
  { stdio: 'inherit', env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' } });
let passed = 0, failed = 0, skipped = 0;
try {
  const s = JSON.parse(readFileSync(process.env.E2E_JSON ? process.env.E2E_JSON.replace(/^\.\.\//, '') : 'build/e2e-results.json', 'utf8')).stats;
  passed = s.expected; failed = s.unexpected + s.flaky; skipped = s.skipped;
} catch {
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(r.status === 0 && failed === 0 ? 0 : 1);
