// Several tabs of the page on one browser profile: one tab edits a project at a time, the
// others show it and follow its changes.
//  - The edit right is a Web Lock, 'convlab-project-' + id, held for as long as the tab has
//    the project open (the browser releases it when the tab closes or crashes). A tab that
//    does not get it at once is read-only and queues for it: when the editing tab closes or
//    opens another project, the next tab in line becomes the editor.
//  - Taking over steals the lock: the tab that had it learns so (its request rejects) and
//    becomes read-only.
//  - After each successful write the editor posts {type: 'changed', project: id, keys: [...]}
//    on BroadcastChannel('convlab'); the project list posts the same with keys ['list'].
// Without Web Locks (an old browser) every tab edits, as before.
const CHANNEL = 'convlab';
const lockName = (id) => `convlab-project-${id}`;

export class Tabs extends EventTarget {
  // Events: 'changed' {project, keys} from another tab; 'edit' {project}: this tab got the
  // edit right; 'lost' {project}: another tab took it over.
  constructor() {
    super();
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : null;
    this.channel?.addEventListener('message', ({ data }) => {
      if (data?.type === 'changed') this.fire('changed', { project: data.project, keys: data.keys ?? [] });
    });
    this.held = null;      // {id, release(), abort: AbortController} of the lock this tab holds or waits for
    this.editing = false;  // this tab holds the lock of held.id
  }

  get locks() { return globalThis.navigator?.locks ?? null; }

  fire(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail })); }

  changed(id, keys) { this.channel?.postMessage({ type: 'changed', project: id, keys }); }

  // Asks for project id's edit right. -> true when this tab edits it now; false when another
  // tab does (this tab then waits in line and fires 'edit' when its turn comes).
  async claim(id) {
    this.release();
    if (!this.locks) { this.editing = true; return true; }
    const got = await this.request(id, { ifAvailable: true });
    if (got) return true;
    this.request(id, {});  // in line; settles when the editing tab lets go
    return false;
  }

  // Takes project id's edit right from the tab that holds it.
  async takeOver(id) {
    this.release();
    if (!this.locks) { this.editing = true; return; }
    await this.request(id, { steal: true });
  }

  // Lets go of the lock held (or waited for).
  release() {
    const h = this.held;
    this.held = null;
    this.editing = false;
    if (!h) return;
    h.abort.abort();
    h.release();
  }

  // One lock request: resolves true once held, false when not available (ifAvailable).
  request(id, options) {
    const abort = new AbortController();
    let release;
    const hold = new Promise((r) => { release = r; });
    const h = { id, abort, release };
    this.held = h;
    return new Promise((resolve) => {
      const opts = { ...options, ...(options.ifAvailable || options.steal ? {} : { signal: abort.signal }) };
      this.locks.request(lockName(id), opts, (lock) => {
        if (!lock) { if (this.held === h) this.held = null; resolve(false); return undefined; }
        if (this.held !== h) return undefined;  // released while waiting in line
        const queued = !options.ifAvailable && !options.steal;
        this.editing = true;
        resolve(true);
        if (queued) this.fire('edit', { project: id });
        return hold;
      }).catch(() => {
        // stolen by another tab (or the wait was aborted by release())
        if (this.held !== h) return;
        this.held = null;
        this.editing = false;
        resolve(false);
        this.fire('lost', { project: id });
        this.request(id, {});  // back in line for when the new editor lets go
      });
    });
  }
}
