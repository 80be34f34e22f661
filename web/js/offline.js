// The page's side of the service worker (../sw.js): registers it, tells the page when it works
// offline, offers a new version once it is ready ("A new version of ConvLab is ready — Reload",
// which never reloads by itself), and makes a host without isolation headers run the threaded
// engine: the worker adds the headers, so the first visit reloads once when the worker takes
// control of a page that is not cross-origin isolated (once per tab session, never while
// training or writing, so it can never loop or lose work).
//
// startOffline({notice, isBusy, status, onChange}) -> state {supported, offline, isolated}
//   notice    the (empty) role=status element the update offer is written into
//   isBusy()  -> a reason not to reload now (a sentence), or '' (training, writes in flight)
//   status(t) shows a message in the page's status line
//   onChange(state) called whenever state changes (state.offline: a worker controls the page,
//             so every file it needs is cached)
const RELOADED = 'convlab-isolation-reload';  // sessionStorage: this tab already reloaded for isolation

export function startOffline({ notice, isBusy, status, onChange }) {
  const sw = navigator.serviceWorker;
  const state = { supported: !!sw, offline: false, isolated: globalThis.crossOriginIsolated === true };
  if (!sw) return state;
  const changed = () => onChange?.(state);
  let updating = false;  // the user asked for the new version: its taking control reloads the page
  let hadController = !!sw.controller;
  state.offline = hadController;

  // A reload the user asked for, unless it would cut something off.
  const reloadIf = (then) => {
    const busy = isBusy();
    if (busy) { status(`${busy} Reload once it is done.`); return; }
    then();
  };
  const offer = (waiting) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Reload';
    button.addEventListener('click', () => reloadIf(() => {
      if (!waiting) { location.reload(); return; }  // another tab already switched versions
      updating = true;
      waiting.postMessage({ type: 'skip-waiting' });
    }));
    const text = document.createElement('span');
    text.textContent = 'A new version of ConvLab is ready — ';
    notice.replaceChildren(text, button);
  };

  sw.addEventListener('controllerchange', () => {
    if (updating) { location.reload(); return; }
    if (hadController) {
      offer(null);  // another tab took the new version: this one still runs the old files
      return;
    }
    hadController = true;
    state.offline = true;
    changed();
    if (!state.isolated && !sessionStorage.getItem(RELOADED) && !isBusy()) {
      sessionStorage.setItem(RELOADED, '1');
      location.reload();
    }
  });

  // updateViaCache 'none': the update check also bypasses the HTTP cache for gen/sw-manifest.js,
  // which is where a new version shows.
  sw.register(new URL('../sw.js', import.meta.url), { updateViaCache: 'none' }).then((reg) => {
    if (!reg) return;  // service workers blocked by the browser's settings (or a test harness)
    const watch = (w) => {
      if (!w) return;
      const ready = () => { if (w.state === 'installed' && sw.controller) offer(w); };
      w.addEventListener('statechange', ready);
      ready();
    };
    watch(reg.waiting);
    reg.addEventListener('updatefound', () => watch(reg.installing));
    // A tab left open for days (a classroom's) still hears of a new version when it comes back.
    let checked = Date.now();
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState !== 'visible' || Date.now() - checked < 3_600_000) return;
      checked = Date.now();
      reg.update().catch(() => {});  // offline: try again later
    });
  }, (e) => {
    // No worker (no manifest on this host, private mode, file://): the page works as before,
    // only not offline.
    console.warn(`ConvLab will not work offline here: ${e.message}`);
  });
  return state;
}
