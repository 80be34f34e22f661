// The product's engine modules carry no bench code (issue 10): scans the built .wasm and .js
// files of the page for bench names, and checks the scan can see such names at all, in two
// ways: a product name (the Embind class "Engine") must be found in the product modules, and
// "benchRun" must be found in the bench modules, which link tools/bench/bench_bindings.cc.
// Embind names and string literals sit in the wasm data section, so a byte scan finds them
// even in a stripped release build; mangled C++ names appear when a name section is kept.
//
// usage: node tests/check_exports.mjs [build/wasm]   (exit 1 and a message per problem)
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const dir = resolve(process.argv[2] || 'build/wasm');
// bench_bindings.cc's binding, the bench namespace (plain and Itanium-mangled), its header,
// and a message only benchRun throws.
const forbidden = ['benchRun', 'bench::', '7convlab5bench', 'bench_core', 'unknown bench kind'];
const product = {
  'web/convlab.wasm': ['Engine', 'checkSpec'],
  'web/convlab.js': ['createConvLab'],
  'web/convlab-mt.wasm': ['Engine', 'checkSpec'],
  'web/convlab-mt.js': ['createConvLab'],
  'web/convlab-mt.worker.js': [],
};
const bench = ['bench/convlab-bench.wasm', 'bench/convlab-bench-mt.wasm'];

const problems = [];
const read = (f) => {
  const p = join(dir, f);
  if (!existsSync(p)) {
    problems.push(`${relative(process.cwd(), p)} is missing: build it first (make wasm)`);
    return null;
  }
  return readFileSync(p).toString('latin1');  // bytes as characters: ASCII names match as they are
};

let checked = 0;
for (const [f, required] of Object.entries(product)) {
  const text = read(f);
  if (text === null) continue;
  ++checked;
  for (const name of forbidden)
    if (text.includes(name))
      problems.push(`${f} contains "${name}": bench code is linked into the product (tools/bench/ must stay out of it)`);
  for (const name of required)
    if (!text.includes(name)) problems.push(`${f} lacks "${name}": this scan no longer sees the module's names`);
}
for (const f of bench) {
  const text = read(f);
  if (text !== null && !text.includes('benchRun'))
    problems.push(`${f} lacks "benchRun": this scan would not see the bench binding if it were linked in`);
}

if (problems.length) {
  for (const p of problems) console.error(`check_exports: ${p}`);
  process.exit(1);
}
console.log(`check_exports: ${checked} product files in ${relative(process.cwd(), dir) || '.'} hold no bench code`);
