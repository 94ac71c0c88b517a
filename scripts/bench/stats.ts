/**
 * Small statistics for the benchmarks: nearest-rank percentiles, summaries,
 * a least-squares slope, a seeded random generator, and the model of
 * heartbeat-only recovery (wait for the next heartbeat, then restart).
 *
 * @module
 */

/** Percentiles and extremes of a sample, in the sample's unit. */
export interface Summary {
  n: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * The `p`-th percentile (0 < p ≤ 100) by the nearest-rank method: the
 * smallest value with at least p % of the sample at or below it. With 50
 * values p99 is the largest one. NaN for an empty sample.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  if (!(p > 0 && p <= 100)) throw new RangeError(`Invalid percentile: ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Summarises a sample (NaN fields when it is empty). */
export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  const mean = n === 0 ? NaN : values.reduce((s, v) => s + v, 0) / n;
  return {
    n,
    min: n === 0 ? NaN : Math.min(...values),
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: n === 0 ? NaN : Math.max(...values),
    mean,
  };
}

/** The median (nearest rank). */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Least-squares slope of `ys` over `xs` (0 with fewer than two points). */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return 0;
  let sx = 0, sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i]!;
    sy += ys[i]!;
  }
  const mx = sx / n, my = sy / n;
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** A seeded pseudo-random generator (mulberry32) returning [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle with the given generator (returns a new array). */
export function shuffle<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Latency of heartbeat-only recovery: a crash at a uniformly random moment
 * waits for the next heartbeat (uniform over one cycle = interval + the
 * heartbeat's own duration), then takes a restart time drawn from
 * `restartMs`. Monte Carlo with `draws` draws; returns the summary in ms.
 */
export function heartbeatOnlyModel(
  cycleMs: number,
  restartMs: readonly number[],
  options: { draws?: number; seed?: number } = {},
): Summary {
  if (restartMs.length === 0) return summarize([]);
  const rand = seededRandom(options.seed ?? 1);
  const draws = options.draws ?? 100_000;
  const out = new Array<number>(draws);
  for (let i = 0; i < draws; i++) {
    const r = restartMs[Math.floor(rand() * restartMs.length)]!;
    out[i] = rand() * cycleMs + r;
  }
  return summarize(out);
}

/**
 * Latency when a share `lostShare` of crash events never arrives: those
 * wait for the heartbeat ({@link heartbeatOnlyModel} over `cycleMs`), the
 * rest take a delivered latency from `deliveredMs`. Monte Carlo, in ms.
 */
export function lostEventModel(
  deliveredMs: readonly number[],
  lostShare: number,
  cycleMs: number,
  options: { draws?: number; seed?: number } = {},
): Summary {
  if (deliveredMs.length === 0) return summarize([]);
  const rand = seededRandom(options.seed ?? 2);
  const draws = options.draws ?? 100_000;
  const out = new Array<number>(draws);
  for (let i = 0; i < draws; i++) {
    const r = deliveredMs[Math.floor(rand() * deliveredMs.length)]!;
    out[i] = rand() < lostShare ? rand() * cycleMs + r : r;
  }
  return summarize(out);
}
