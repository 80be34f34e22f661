// One confusion matrix component for the validation matrix (Train tab) and the test set's:
// a real table (rows the true class, columns the predicted one) whose cells are buttons that
// open the cell's images. A table reads cell by cell with a screen reader's table commands,
// and the whole matrix is one Tab stop (the arrow keys move between cells: roving.js), so it
// works by keyboard as well as by mouse. Each cell is shaded by its share of the row (green on
// the diagonal, red off it), as the canvas matrix used to be.
import { h } from '../dom.js';
import { rovingGrid } from '../roving.js';

// How to use a matrix, said under each one.
export const CELL_HINT = 'Click a number, or Tab to the matrix, move with the arrow keys and press Enter, to see those images.';

// matrix: flat (n, n) row-major; names: n class names; onCell(row, col) when a cell with
// images is chosen; perClass (optional): n strings for a last "right" column; label: the
// table's accessible name (what split it is).
export function confusionTable({ matrix, names, onCell, perClass, label, id }) {
  const n = names.length;
  const cells = [];
  const head = h('tr', {}, h('th', { scope: 'col' }, 'true \\ predicted'),
    ...names.map((name) => h('th', { scope: 'col' }, name)),
    perClass ? h('th', { scope: 'col' }, 'right') : null);
  const body = names.map((name, i) => {
    const row = matrix.slice(i * n, i * n + n);
    const sum = row.reduce((a, b) => a + b, 0);
    const buttons = row.map((v, j) => h('button', {
      type: 'button', class: 'cell', dataset: { row: i, col: j },
      // aria-disabled, not disabled: an empty cell stays in the arrow-key grid and still reads
      'aria-disabled': v ? null : 'true',
      'aria-label': `${v} ${name} image${v === 1 ? '' : 's'} predicted as ${names[j]}`,
      onclick: () => { if (v && onCell) onCell(i, j); },
    }, String(v)));
    cells.push(buttons);
    return h('tr', {}, h('th', { scope: 'row' }, name),
      ...buttons.map((b, j) => {
        const f = sum ? row[j] / sum : 0;
        // the share of the row as the cell's shade; strong shades get light text
        return h('td', { class: `${i === j ? 'diag' : row[j] ? 'off' : ''}${f > 0.55 ? ' strong' : ''}`, style: `--share: ${Math.round(f * 100)}%` }, b);
      }),
      perClass ? h('td', { class: 'right' }, perClass[i]) : null);
  });
  const table = h('table', { class: 'confusion-table', id, 'aria-label': label }, h('thead', {}, head), h('tbody', {}, body));
  rovingGrid(table, () => cells);
  return table;
}
