// A roving tabindex over a grid of controls (WAI-ARIA Authoring Practices, "keyboard
// navigation inside components"): the whole grid is one Tab stop, the arrow keys move inside
// it, Home/End go to the first/last row (with Ctrl: the first/last control). Used by the
// confusion matrices (one button per cell) and the image lists (each image's buttons a row),
// so a list of 24 images is one Tab stop, not 72.
//   const grid = rovingGrid(tableEl, () => rows);   rows: [[control, ...], ...] in DOM order
//   grid.refresh()    after rows were added or removed: one control keeps tabindex 0
//   grid.removeRow(i, remove) runs remove() and keeps the focus in the grid (below)

export function rovingGrid(container, getRows) {
  let at = [0, 0];  // [row, col] of the control that holds the Tab stop

  const rows = () => getRows().filter((r) => r.length);
  const clamp = (r, list) => {
    const row = Math.max(0, Math.min(r[0], list.length - 1));
    return [row, Math.max(0, Math.min(r[1], (list[row]?.length ?? 1) - 1))];
  };

  function refresh() {
    const list = rows();
    at = clamp(at, list);
    list.forEach((row, i) => row.forEach((el, j) => { el.tabIndex = i === at[0] && j === at[1] ? 0 : -1; }));
  }

  function focus(pos) {
    at = pos;
    refresh();
    rows()[at[0]]?.[at[1]]?.focus();
  }

  // a click or Tab into a control makes it the Tab stop, so Shift+Tab and back returns there
  container.addEventListener('focusin', (e) => {
    const list = rows();
    for (let i = 0; i < list.length; i++) {
      const j = list[i].indexOf(e.target);
      if (j >= 0) { at = [i, j]; refresh(); return; }
    }
  });

  container.addEventListener('keydown', (e) => {
    if (e.altKey || e.metaKey) return;  // Alt+Down opens a select's list: leave it alone
    const list = rows();
    if (!list.length) return;
    const [r, c] = at;
    const moves = {
      ArrowUp: [r - 1, c], ArrowDown: [r + 1, c], ArrowLeft: [r, c - 1], ArrowRight: [r, c + 1],
      Home: e.ctrlKey ? [0, 0] : [r, 0], End: e.ctrlKey ? [list.length - 1, Infinity] : [r, Infinity],
    };
    const to = moves[e.key];
    if (!to || !list.flat().includes(e.target)) return;
    // also keeps a closed <select> from changing its value (and acting on it) on an arrow key:
    // it opens with Alt+Down, Space or Enter
    e.preventDefault();
    focus(clamp(to, list));
  });

  // Removes row i by calling remove() (which takes its elements out of the DOM); when the focus
  // was in it, it goes to the control that takes its place (the next row, else the previous).
  // -> false when no row is left (the caller then puts the focus somewhere sensible).
  function removeRow(i, remove) {
    const list = rows();
    const had = list[i]?.includes(document.activeElement);
    remove();
    if (at[0] > i) at = [at[0] - 1, at[1]];
    const left = rows();
    if (had && left.length) focus(clamp(at, left)); else refresh();
    return left.length > 0;
  }

  refresh();
  return { refresh, removeRow, focus: () => focus(clamp(at, rows())) };
}
