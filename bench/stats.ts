/** Small numeric helpers for the bench (nearest-rank percentiles, rounding, RSS sampling). */
export interface Stats {
  n: number;
  min: number;
  median: number;
  p95: number;
  max: number;
}

export const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

export function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return { n: 0, min: NaN, median: NaN, p95: NaN, max: NaN };
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  return { n: s.length, min: round(s[0]!, 2), median: round(q(0.5), 2), p95: round(q(0.95), 2), max: round(s[s.length - 1]!, 2) };
}

/** Peak resident set size of this process, sampled by the bench between phases and from the kernel's maximum. */
export const rss = {
  peak: process.memoryUsage().rss,
  sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  },
  mb(): number {
    this.sample();
    return round(this.peak / 1024 / 1024);
  },
};

/** Times `fn` `n` times one after another (after `warmup` untimed calls); ms per call. */
export async function timeEach(n: number, warmup: number, fn: (i: number) => Promise<void>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}
