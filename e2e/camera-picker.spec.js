// Issue 16: the camera picker remembers its choice per project. Chromium has one fake
// camera: choosing it is stored in the project, restored after a reload and when the project
// is opened again, while a new project starts on the default camera. A remembered camera that
// is not connected falls back to the default one and says so; unreadable stored choices
// (mutated records) are set aside with a message and the default camera is used.
const { test, expect } = require('@playwright/test');
const h = require('./helpers.js');

const base = h.isolatedURL;
const picker = (page) => page.locator('#camera-device');
const stored = (page) => page.evaluate(() => globalThis.convlab.project.camera);
const settled = (page) => expect.poll(() => page.evaluate(() => globalThis.convlab.project.pendingWrites)).toBe(0);
async function reload(page) {
  await page.reload();
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
}
const running = (page) => page.evaluate(() => globalThis.convlab.camera.running);

test('the chosen camera is kept per project, restored, and a missing one falls back with a message', async ({ page }) => {
  const problems = h.watch(page, base);
  await h.openApp(page, base);
  await expect(picker(page)).toHaveValue('default');
  await page.locator('#camera-toggle').click();
  await expect.poll(() => running(page)).toBe(true);
  const device = await page.evaluate(async () => (await navigator.mediaDevices.enumerateDevices()).find((d) => d.kind === 'videoinput'));
  const value = `device:${device.deviceId}`;
  await expect(picker(page).locator(`option[value="${value}"]`)).toHaveText(device.label);  // named after permission
  await picker(page).selectOption(value);
  await expect.poll(() => stored(page)).toEqual({ deviceId: device.deviceId, label: device.label, facing: '' });
  await expect.poll(() => running(page)).toBe(true);
  await settled(page);

  await reload(page);  // reload: the same project, its camera
  await expect(picker(page)).toHaveValue(value);
  const first = await page.evaluate(() => globalThis.convlab.project.id);

  await page.locator('#new-project').click();  // a new project: the default camera
  await expect.poll(() => page.evaluate((id) => globalThis.convlab.project.id !== id, first)).toBe(true);
  await expect(picker(page)).toHaveValue('default');
  expect(await stored(page)).toBe(null);
  await page.evaluate((id) => globalThis.convlab.openProject(id), first);
  await expect(picker(page)).toHaveValue(value);

  // the remembered camera is gone: the default one starts, and the page says why
  await page.evaluate(() => globalThis.convlab.project.setCamera({ deviceId: 'unplugged-0', label: 'Old USB camera', facing: '' }));
  await settled(page);
  await reload(page);
  await expect(picker(page)).toHaveValue('device:unplugged-0');
  await expect(picker(page).locator('option[value="device:unplugged-0"]')).toHaveText('Old USB camera (not connected)');
  await page.locator('#camera-toggle').click();
  await expect.poll(() => running(page)).toBe(true);
  await expect(page.locator('#camera-fallback')).toContainText('"Old USB camera") is not connected: the default camera is used instead');
  expect(await stored(page)).toEqual({ deviceId: 'unplugged-0', label: 'Old USB camera', facing: '' });  // kept for when it is back

  // stored choices that are not readable: set aside with a message, the default camera used
  for (const junk of ['back', { deviceId: 7, label: '', facing: '' }, { deviceId: 'x', label: 'x', facing: 'environment' }, { deviceId: '', label: '', facing: 'sideways' }]) {
    await page.evaluate((v) => globalThis.convlab.project.save('camera', v), junk);
    await settled(page);
    await reload(page);
    await expect(page.locator('#notice')).toContainText('camera chosen for this project was not readable; the default camera is used');
    await expect(picker(page)).toHaveValue('default');
    expect(await stored(page)).toBe(null);
  }
  h.expectClean(problems);
});
