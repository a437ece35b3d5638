/**
 * Above this many listed queues the overview renders only the rows near the viewport: a
 * row costs about a millisecond to render and lay out, so a thousand queues blocked the
 * page for a second on every load (bench/overview-page.ts with BENCH_QUEUES=1000).
 * A module of its own so the bench can read it without loading React.
 */
export const WINDOWED_ABOVE = 100;
