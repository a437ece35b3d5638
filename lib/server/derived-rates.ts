import type { QueueRates } from '@/lib/shared/types';

/**
 * Enqueue and dequeue rates for brokers that report none (kombu on Redis), derived from what
 * the sampler sees: the exact depth at every sample, and how many messages workers said
 * they took (their `task.received` events, Triage's and Celery's). Pure; the sampler
 * feeds it.
 *
 * Over the window, with Δᵢ the depth change between two samples:
 * - out ≥ Σ max(−Δᵢ, 0) (a fall is messages leaving) and out ≥ the takes workers reported;
 * - in ≥ Σ max(Δᵢ, 0) and in = Δ(window) + out (what stayed is what came minus what left).
 * Both are lower bounds: a message that arrived and left between two samples by a consumer
 * that sends no events is invisible. Comparing the window's totals (not sample by sample)
 * keeps a worker's events that land a sample after the depth fell from counting twice.
 */

/** Rates are averaged over this window. */
export const RATE_WINDOW_MS = 60_000;
/** Rates need samples at least this far apart (one live interval is 2 s). */
const RATE_MIN_SPAN_MS = 4_000;

interface Sample {
  t: number;
  depth: number;
  /** Takes reported by workers so far (cumulative). */
  taken: number;
}

const DERIVED_RATES_BASIS =
  'derived by Triage over the last minute from depth changes between samples and workers’ task events (at least this much)';
const NOT_MEASURED_BASIS = 'not measured yet: Triage derives Redis rates from its own samples a few seconds apart';
export const NOT_MEASURED: QueueRates = { enqueue: null, dequeue: null, basis: NOT_MEASURED_BASIS };

export class DerivedRates {
  private readonly samples = new Map<string, Sample[]>();
  private readonly taken = new Map<string, number>();

  /** Workers reported taking `n` messages from `queue` (a member queue of a lane group counts for the group). */
  recordTaken(queue: string, n: number): void {
    this.taken.set(queue, (this.taken.get(queue) ?? 0) + n);
  }

  /**
   * One sample of a queue's depth at `now`; `members` are the queues whose takes count for
   * it (itself, or a lane group's lanes). Returns its rates over the window, null while
   * the samples span less than RATE_MIN_SPAN_MS.
   */
  observe(ref: string, members: readonly string[], depth: number, now: number): QueueRates {
    const taken = members.reduce((sum, q) => sum + (this.taken.get(q) ?? 0), 0);
    const kept = (this.samples.get(ref) ?? []).filter((s) => s.t >= now - RATE_WINDOW_MS && s.t < now);
    kept.push({ t: now, depth, taken });
    this.samples.set(ref, kept);
    return this.rates(ref) ?? NOT_MEASURED;
  }

  /** The rates as of the latest sample of `ref`; null when not measured yet. */
  rates(ref: string): QueueRates | null {
    const samples = this.samples.get(ref);
    if (!samples || samples.length < 2) return null;
    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    const spanMs = last.t - first.t;
    if (spanMs < RATE_MIN_SPAN_MS) return null;
    let rises = 0;
    let falls = 0;
    for (let i = 1; i < samples.length; i++) {
      const delta = samples[i]!.depth - samples[i - 1]!.depth;
      if (delta > 0) rises += delta;
      else falls -= delta;
    }
    const out = Math.max(falls, last.taken - first.taken);
    const into = Math.max(rises, last.depth - first.depth + out);
    const perSecond = (n: number) => Math.round((n / (spanMs / 1000)) * 100) / 100;
    return { enqueue: perSecond(into), dequeue: perSecond(out), basis: DERIVED_RATES_BASIS };
  }

  /** Forgets queues not sampled in the last window (deleted, or on a broker that went away). */
  prune(now: number): void {
    for (const [ref, samples] of this.samples) {
      if ((samples.at(-1)?.t ?? 0) < now - RATE_WINDOW_MS) this.samples.delete(ref);
    }
  }
}
