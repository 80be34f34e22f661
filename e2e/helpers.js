// Shared pieces of the page tests: launching Chromium with a given fake-webcam scene,
// opening the app, watching for console errors and for requests that leave the origin,
// and a few UI steps (upload, train, read the prediction).
const { expect } = require('@playwright/test');
const { chromium } = require('@playwright/test');
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const { chromiumArgs, isolatedURL, plainURL } = require('./playwright.config.js');

const fixture = (name) => path.join(__dirname, 'fixtures', name);
const scene = { cat: fixture('chelsea-320x240.y4m'), coffee: fixture('coffee-320x240.y4m') };

// A persistent context (its IndexedDB survives a relaunch) showing one y4m scene as the webcam.
async function launchWithCamera(userDataDir, y4m, viewport = { width: 1280, height: 800 }) {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    args: [...chromiumArgs, `--use-file-for-fake-video-capture=${y4m}`],
    viewport,
    serviceWorkers: 'block',  // as in playwright.config.js
  });
}

function tempProfile() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'convlab-e2e-'));
}

// Records console errors, page errors and every request to another origin.
function watch(target, base) {
  const origin = new URL(base).origin;
  const problems = { errors: [], foreign: [] };
  const onPage = (page) => {
    page.on('console', (m) => { if (m.type() === 'error') problems.errors.push(m.text()); });
    page.on('pageerror', (e) => problems.errors.push(e.message));
  };
  if (target.pages) { target.pages().forEach(onPage); target.on('page', onPage); } else onPage(target);
  const ctx = target.context ? target.context() : target;
  ctx.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin) problems.foreign.push(u);
  });
  return problems;
}

function expectClean(problems) {
  expect(problems.errors, 'console errors').toEqual([]);
  expect(problems.foreign, 'requests that left the origin').toEqual([]);
}

async function openApp(page, base, view = 'data') {
  await page.goto(`${base}/#${view}`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
}

const card = (page, i) => page.locator('.class-card').nth(i);

async function renameClass(page, i, name) {
  const input = card(page, i).locator('input.class-name');
  await input.fill(name);
  await input.press('Enter');
  await expect.poll(() => page.evaluate((k) => globalThis.convlab.getClasses()[k].name, i)).toBe(name);
}

// A fixture as an upload payload (Playwright cannot mix paths and buffers in one upload).
function file(name) {
  const mimeType = { '.png': 'image/png', '.jpg': 'image/jpeg', '.webp': 'image/webp', '.txt': 'text/plain' }[path.extname(name)];
  return { name, mimeType, buffer: fs.readFileSync(fixture(name)) };
}

// Uploads files (payloads, or fixture names) to class i through its (hidden) file input.
async function upload(page, i, files) {
  await card(page, i).locator('input[type=file]').setInputFiles(files.map((f) => (typeof f === 'string' ? file(f) : f)));
}

// n copies of a fixture photo as upload payloads (distinct names).
function copies(name, n) {
  const buffer = fs.readFileSync(fixture(name));
  const ext = path.extname(name);
  const mimeType = { '.png': 'image/png', '.jpg': 'image/jpeg', '.webp': 'image/webp' }[ext];
  return Array.from({ length: n }, (_, k) => ({ name: `${path.basename(name, ext)}-${k}${ext}`, mimeType, buffer }));
}

const counts = (page) => page.evaluate(() => globalThis.convlab.getClasses().map((c) => c.count));

// Sets the training settings through the form.
async function settings(page, values) {
  if (!(await page.locator('#view-train').isVisible())) await page.locator('nav a[data-view="train"]').click();
  for (const [k, v] of Object.entries(values)) {
    const el = page.locator(`#set-${k}`);
    if (typeof v === 'boolean') await el.setChecked(v);
    else if (k === 'optimizer') await el.selectOption(v);
    else { await el.fill(String(v)); await el.dispatchEvent('change'); }
  }
}

async function trainToEnd(page, timeout = 90_000) {
  await page.goto(page.url().replace(/#.*$/, '') + '#train');
  await page.locator('#train-start').click();
  await expect(page.locator('#train-progress-text')).toContainText('Trained after', { timeout });
}

// Live prediction on the Predict tab (it starts by itself when the camera is already on).
async function ensureLive(page) {
  const btn = page.locator('#predict-live');
  await page.waitForTimeout(200);
  if ((await btn.textContent()).startsWith('Start')) await btn.click();
  await expect(btn).toHaveText('Stop live prediction');
}

// What the page hands to navigator.clipboard.writeText, kept per page. The system clipboard is
// one for every browser the parallel workers run, so reading it back can return another spec's
// text (as it did on a CI run); the write still goes through to the real clipboard.
async function recordClipboard(context) {
  await context.addInitScript(() => {
    const clip = navigator.clipboard;
    if (!clip || !clip.writeText) return;
    const write = clip.writeText.bind(clip);
    clip.writeText = async (text) => { await write(text); globalThis.__copiedText = String(text); };
  });
}
const copiedText = (page) => page.evaluate(() => globalThis.__copiedText ?? null);

module.exports = {
  ensureLive, recordClipboard, copiedText,
  fixture, file, scene, launchWithCamera, tempProfile, watch, expectClean, openApp, card, renameClass, upload, copies, counts,
  settings, trainToEnd, isolatedURL, plainURL,
};
