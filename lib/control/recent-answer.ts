/**
 * One answer shared by every caller asking the same question within `maxAgeMs`, and one
 * question in flight at a time: the workers page polls each Celery worker's tasks from every
 * open tab, and each poll would otherwise be a remote-control broadcast on the broker.
 * Failures are not kept: the next caller asks again.
 */
export class RecentAnswers<T> {
  private readonly answers = new Map<string, { at: number; answer: Promise<T> }>();

  constructor(
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, ask: () => Promise<T>): Promise<T> {
    const now = this.now();
    const kept = this.answers.get(key);
    if (kept && now - kept.at < this.maxAgeMs) return kept.answer;
    this.forgetOlderThan(now);
    const answer = ask();
    this.answers.set(key, { at: now, answer });
    answer.catch(() => {
      if (this.answers.get(key)?.answer === answer) this.answers.delete(key);
    });
    return answer;
  }

  /** Keeps the map as small as the set of questions asked lately. */
  private forgetOlderThan(now: number): void {
    for (const [key, kept] of this.answers) if (now - kept.at >= this.maxAgeMs) this.answers.delete(key);
  }
}
