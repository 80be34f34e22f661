// The timing loop every JS peer shares, the same as ConvLab's (tools/bench/bench_core.h):
// warm-up steps (and at least 2 x minSeconds), then `reps` repetitions of whole steps lasting at least `minSeconds`;
// the result is the median images/s. A slow step (over half a second) gets one warm-up
// step and may make a repetition of a single step, so the slowest peers stay affordable.
export function median(v) {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

export async function timeRate(step, batch, { reps = 3, minSeconds = 0.4, warmup = 3 } = {}) {
  let t0 = performance.now();
  await step();
  const first = (performance.now() - t0) / 1e3;
  const slow = first > 0.5;
  // Warm up for steps and for time (as bench_core.h does): Chromium runs baseline code until
  // it has optimised the hot functions.
  for (let i = 1; !slow && (i < warmup || (performance.now() - t0) / 1e3 < 2 * minSeconds); ++i) await step();
  const rates = [];
  for (let r = 0; r < reps; ++r) {
    await new Promise((res) => setTimeout(res, 0)); // let the page breathe between repetitions
    let steps = 0;
    let t;
    t0 = performance.now();
    do {
      await step();
      ++steps;
      t = performance.now();
    } while ((t - t0) / 1e3 < minSeconds || (!slow && steps < 2));
    rates.push((steps * batch) / ((t - t0) / 1e3));
  }
  return { images_per_s: median(rates), reps: rates };
}

// Seeded uniform numbers (mulberry32), so every engine sees the same kind of data.
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The reference workloads as plain shapes: input (h, w, c) and the class count.
// default: the page's default webcam net (core's webcam preset, 3 classes).
export const WORKLOADS = {
  A: { h: 28, w: 28, c: 1, classes: 10 },
  B: { h: 32, w: 32, c: 3, classes: 2 },
  default: { h: 64, w: 64, c: 3, classes: 3 },
};

// One repetition of `step` (whole steps for at least minSeconds), for make bench's interleaved
// run; warm: warm up first for 2 x minSeconds (the first rep of a step). Returns images/s.
export async function oneRep(step, batch, { minSeconds = 0.4, warm = false } = {}) {
  let t0 = performance.now();
  if (warm) for (let i = 0; i < 3 || (performance.now() - t0) / 1e3 < 2 * minSeconds; ++i) await step();
  let steps = 0, t;
  t0 = performance.now();
  do {
    await step();
    ++steps;
    t = performance.now();
  } while ((t - t0) / 1e3 < minSeconds || steps < 2);
  return (steps * batch) / ((t - t0) / 1e3);
}
