// Renders web/favicon.svg into the web app manifest's PNG icons (web/icons/icon-192.png and
// icon-512.png) with Debian's Chromium. Run once by hand after the logo changes; the PNGs are
// committed, so neither the build nor the tests need it.
// usage: node tools/make-icons.mjs
import { chromium } from '@playwright/test';
import { readFileSync } from 'node:fs';

const svg = readFileSync('web/favicon.svg', 'utf8');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
for (const size of [192, 512]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(`<style>html,body{margin:0;background:transparent}</style>` +
    `<img src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}" width="${size}" height="${size}">`);
  await page.screenshot({ path: `web/icons/icon-${size}.png`, omitBackground: true });
  await page.close();
}
await browser.close();
console.log('wrote web/icons/icon-192.png, web/icons/icon-512.png');
