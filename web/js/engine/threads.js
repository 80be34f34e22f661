// The engine's thread count, said in the header and settable there. The threaded build sizes
// its pool from navigator.hardwareConcurrency, capped by the engine (hello.max_threads, from
// core's rules.threads); a student on a shared or hot laptop may want fewer. The choice is kept
// for this browser (the store's app records, read back as outside input: a count the engine does
// not offer here is ignored) and applied at start. Training gives the same weights for any count
// (core's determinism tests), so only the speed changes; the count is not changed while a run
// is going. The single-threaded build shows no choice.
import { h } from '../dom.js';
import { plural } from '../format.js';

const KEY = 'threads';

// threads: null when the select beside the text says the count; offline: the service worker
// controls the page (offline.js)
export function engineText(hello, threads, offline = false) {
  const kind = `Engine ready${offline ? ' (works offline)' : ''}: WebAssembly ${hello.simd ? 'SIMD' : 'scalar'}`;
  // the threaded build failed to start (hello.fallback says why: an iPad refusing its shared
  // memory, say), or the page is not cross-origin isolated
  const why = hello.threaded ? '' : hello.fallback
    ? ` (single-threaded build: ${hello.fallback}, so the single-threaded one runs: slower, same results)`
    : ' (single-threaded build: the page is not cross-origin isolated)';
  return kind + (threads === null ? ' on' : `, ${plural(threads, 'thread')}${why}`);
}

// statusEl: the header's engine status (app.js writes its text, engineText); db: the store
// (getApp/setApp), or null without storage. -> whether the select is shown.
export async function mountThreads(statusEl, ctx, hello, db) {
  if (!hello.threaded || hello.max_threads < 2) return false;
  const offered = (n) => Number.isInteger(n) && n >= ctx.rules.threads.min && n <= hello.max_threads;
  let threads = hello.threads;
  const kept = await db?.getApp(KEY).catch(() => undefined);
  if (offered(kept) && kept !== threads) threads = (await ctx.engine.call('setThreads', { threads: kept })).threads;

  const select = h('select', { id: 'engine-threads', 'aria-label': 'Threads the engine uses', title: 'Threads the engine uses (the same weights for any count; only the speed changes)' },
    ...Array.from({ length: hello.max_threads }, (_, i) => h('option', { value: String(i + 1) }, plural(i + 1, 'thread'))));
  select.value = String(threads);
  select.addEventListener('change', async () => {
    const want = Number(select.value);
    if (ctx.isTraining()) {
      select.value = String(threads);
      ctx.status('The thread count changes when no training runs: stop it on the Train tab first.');
      return;
    }
    try {
      threads = (await ctx.engine.call('setThreads', { threads: want })).threads;
      await db?.setApp(KEY, threads).catch(() => {});  // not kept: the next visit uses the default
    } catch (e) {
      ctx.status(`The thread count could not be changed: ${e.message}`, true);
    }
    select.value = String(threads);
    ctx.status(`The engine now uses ${plural(threads, 'thread')}.`);
  });
  statusEl.after(select);
  return true;
}
