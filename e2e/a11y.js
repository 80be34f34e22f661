// Shared accessibility and touch checks for the page tests (issue 16). They know nothing
// about particular views: walk() visits every top-level view the header links to and, inside
// each, every tab of every tablist (the lecture steps and whatever views are added later), so
// the same checks run over the whole merged page.
//   await walk(page, async (name) => { ...checks on what is shown now... });
//   await expectNoSeriousAxe(page, name)   axe-core 4.14.1, injected by the test only
//   await expectNoSidewaysScroll(page, name)
//   await expectTouchTargets(page, name)   visible controls at least 44x44 CSS px
const { expect } = require('@playwright/test');

const AXE = require.resolve('axe-core/axe.min.js');

// Every view reachable from the header; each visit waits for the view's section to show.
async function views(page) {
  return page.locator('header a[data-view]').evaluateAll((as) => as.map((a) => a.dataset.view));
}

async function showView(page, view) {
  await page.locator(`header a[data-view="${view}"]`).first().click();
  await expect(page.locator(`main > section[data-view="${view}"]`)).toBeVisible();
}

// Calls visit(name) on every view and, inside it, after selecting each tab of each visible
// tablist (tabs are clicked, like a student would; nested tablists are walked too). name is
// "view" or "view/tab-id".
async function walk(page, visit, { settle = 250 } = {}) {
  for (const view of await views(page)) {
    await showView(page, view);
    await page.waitForTimeout(settle);
    await visit(view);
    const section = page.locator(`main > section[data-view="${view}"]`);
    const tabIds = await section.locator('[role="tablist"]:visible [role="tab"]').evaluateAll((ts) => ts.map((t) => t.id));
    for (const id of tabIds) {
      const tab = section.locator(`[id="${id}"]`);
      if (!(await tab.isVisible())) continue;
      await tab.click();
      await page.waitForTimeout(settle);
      await visit(`${view}/${id}`);
    }
  }
}

// axe-core on the whole document as it is now: no serious or critical violation. The
// message lists each violation's id, impact and the targets, so a failure says what to fix.
async function axe(page) {
  if (!(await page.evaluate(() => typeof globalThis.axe === 'object'))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const r = await globalThis.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 8) }));
  });
}

async function seriousAxe(page) {
  return (await axe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

async function expectNoSeriousAxe(page, name) {
  const bad = await seriousAxe(page);
  const text = bad.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.targets.join('\n    ')}`).join('\n  ');
  expect(bad, `axe on ${name}:\n  ${text}`).toEqual([]);
}

async function expectNoSidewaysScroll(page, name) {
  const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(over, `${name} scrolls sideways by ${over}px`).toBeLessThanOrEqual(0);
}

// Visible, enabled controls smaller than 44x44 CSS px (WCAG 2.5.5). Checkboxes count with
// their label (the label is the target); inline links in running text are exempt (WCAG's
// inline exception).
async function smallTargets(page, min = 44) {
  return page.evaluate((min) => {
    const out = [];
    const sel = 'button, select, input:not([type=hidden]), textarea, a[href], [role="tab"], [tabindex="0"]';
    for (const el of document.querySelectorAll(sel)) {
      if (el.closest('[hidden], [inert]') || el.disabled) continue;
      const cs = getComputedStyle(el);
      if (cs.visibility === 'hidden' || el.classList.contains('visually-hidden')) continue;
      const target = el.closest('label') ?? el;
      const r = target.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (el.tagName === 'A' && el.closest('p, li') && !el.closest('nav, .next-step')) continue;
      if (Math.round(r.width) < min || Math.round(r.height) < min) {
        const name = el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`;
        out.push(`${name} "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
      }
    }
    return out;
  }, min);
}

async function expectTouchTargets(page, name) {
  const small = await smallTargets(page);
  expect(small, `${name}: touch targets under 44x44 px`).toEqual([]);
}

// Elements that stick out of the viewport on the right (cut off) although the page itself does
// not scroll: boxes with their own horizontal scroll (wide tables) are fine.
async function cutOff(page) {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const out = [];
    for (const el of document.querySelectorAll('main *, header *')) {
      if (el.closest('[hidden]')) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= vw + 1) continue;
      let p = el.parentElement, clipped = false;
      for (; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') { clipped = true; break; }
      }
      if (!clipped) out.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${[...el.classList].join('.')} right=${Math.round(r.right)}`);
      if (out.length > 8) break;
    }
    return out;
  });
}

async function expectNothingCutOff(page, name) {
  expect(await cutOff(page), `${name}: cut off on the right`).toEqual([]);
}

// Presses Tab n times from the top of the page and returns each stop: {name, ring} where ring
// says the focus is visible (an outline of 2px or more, or a box-shadow, on the element).
async function tabStops(page, n) {
  await page.evaluate(() => { document.activeElement?.blur(); globalThis.scrollTo(0, 0); });
  await page.mouse.click(1, 1);  // the top corner: sequential focus starts from the top
  const stops = [];
  for (let i = 0; i < n; i++) {
    await page.keyboard.press('Tab');
    stops.push(await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return { name: 'body', ring: false };
      const cs = getComputedStyle(el);
      const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) || cs.boxShadow !== 'none';
      const name = el.id ? `#${el.id}` : el.dataset.view ? `view:${el.dataset.view}` : `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`;
      return { name, ring };
    }));
  }
  return stops;
}

module.exports = { tabStops, views, showView, walk, axe, seriousAxe, expectNoSeriousAxe, expectNoSidewaysScroll, smallTargets, expectTouchTargets, cutOff, expectNothingCutOff };
