// make profile: where a training step's time goes, measured (not guessed). Runs the wasm bench
// CLI built with function names (build/wasm-prof, --profiling-funcs) under node's sampling
// profiler, training workload A and then B only, and prints each one's functions by self time.
// V8 runs the same wasm in node as in Chromium; node here runs it fully optimised (--no-liftoff).
//
// usage: node tools/bench/profile.mjs [build/wasm-prof/convlab_bench.js] [--seconds 6] [--top 14]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const cli = args.find((a) => a.endsWith('.js')) ?? 'build/wasm-prof/convlab_bench.js';
const seconds = opt('--seconds', '6');
const top = Number(opt('--top', 14));

// "void convlab::parallel_for<convlab::conv2d_backward(float*, ...)::$_2>(int, ...)" -> "conv2d_backward: threaded loop body"
function shortName(name) {
  let s = name.replace(/convlab::|\(anonymous namespace\)::|std::__2::/g, '');
  const body = /^void parallel_for<(?:void for_plane_groups<)?([\w:]+)\(/.exec(s);
  if (body) return `${body[1]}: loop body run by parallel_for (inlined helpers)`;
  return s.replace(/\(.*$/, '') || name;
}

function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const name = shortName(byId.get(id).callFrame.functionName || '(program)');
    self.set(name, (self.get(name) ?? 0) + dt);
    total += dt;
  });
  return { rows: [...self].sort((a, b) => b[1] - a[1]), total };
}

for (const w of ['A', 'B']) {
  const dir = mkdtempSync(join(tmpdir(), 'convlab-prof-'));
  const r = spawnSync(process.execPath, ['--no-experimental-fetch', '--no-liftoff', '--cpu-prof', '--cpu-prof-dir', dir,
    '--cpu-prof-interval', '250', cli, '--profile-train', w, '--seconds', seconds], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cli} failed: ${r.stderr}`);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const { rows, total } = selfTimes(JSON.parse(readFileSync(join(dir, file), 'utf8')));
  rmSync(dir, { recursive: true, force: true });
  console.log(`\n## Training step profile, workload ${w} (batch 32, wasm SIMD, 1 thread, node ${process.version})\n`);
  console.log(r.stdout.trim() + '\n');
  console.log('| self time | function |\n|---|---|');
  for (const [name, t] of rows.slice(0, top)) console.log(`| ${((100 * t) / total).toFixed(1)}% | \`${name}\` |`);
  const rest = rows.slice(top).reduce((s, [, t]) => s + t, 0);
  console.log(`| ${((100 * rest) / total).toFixed(1)}% | everything else (${rows.length - top} functions) |`);
}
