// What a screen reader hears of a fast-changing state (training progress, live prediction):
// a visually hidden polite live region that speaks at most once per `gap` ms. The latest text
// waits for the end of the gap (nothing in between is queued up); final() speaks at once
// (a run's end, a file's prediction). The visible text stays as it is, out of the live region.
import { h } from './dom.js';

export function createAnnouncer({ gap = 5000, id } = {}) {
  const el = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite', ...(id ? { id } : {}) });
  let last = 0, timer = null, pending = null;

  function speak(text) {
    clearTimeout(timer);
    timer = null;
    pending = null;
    last = performance.now();
    if (el.textContent !== text) el.textContent = text;
  }

  return {
    el,
    // a progress update: spoken now when the last one is old enough, else at the gap's end
    say(text) {
      if (text === el.textContent) return;
      const wait = gap - (performance.now() - last);
      if (wait <= 0) { speak(text); return; }
      pending = text;
      if (!timer) timer = setTimeout(() => speak(pending), wait);
    },
    final: speak,
  };
}
