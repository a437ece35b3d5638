import { describe, expect, it } from 'vitest';
import { bandWaits, highBandAlert } from './bands';

const ages = (entries: Record<string, number | null>) => Object.fromEntries([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((p) => [String(p), entries[String(p)] ?? null]));
const counts = (entries: Record<string, number>) => Object.fromEntries([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((p) => [String(p), entries[String(p)] ?? 0]));

describe('bandWaits', () => {
  it('takes the oldest known age of each band’s waiting levels', () => {
    const queue = { levels: [0, 3, 6, 9], byPriority: counts({ 0: 2, 3: 1, 6: 4, 9: 7 }), oldestAgeSecByPriority: ages({ 0: 12, 3: 40, 6: 100, 9: 3600 }) };
    expect(bandWaits(queue)).toEqual({
      high: { depth: 2, oldestAgeSec: 12, partial: false },
      medium: { depth: 1, oldestAgeSec: 40, partial: false },
      low: { depth: 11, oldestAgeSec: 3600, partial: false },
    });
  });

  it('ignores ages of empty levels and says when a waiting level’s age is unknown', () => {
    // RabbitMQ: only the next message's age is known.
    const queue = { levels: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], byPriority: counts({ 1: 3, 2: 1, 8: 5 }), oldestAgeSecByPriority: ages({ 0: 99, 1: 50 }) };
    expect(bandWaits(queue)).toEqual({
      high: { depth: 4, oldestAgeSec: 50, partial: true },
      medium: { depth: 0, oldestAgeSec: null, partial: false },
      low: { depth: 5, oldestAgeSec: null, partial: true },
    });
  });
});

describe('highBandAlert', () => {
  const queue = (high: number | null) => ({ levels: [0, 9], byPriority: counts({ 0: high === null ? 0 : 1, 9: 5 }), oldestAgeSecByPriority: ages({ 0: high, 9: 5000 }) });

  it('flags only a high band waiting longer than the threshold, whatever the low band’s age', () => {
    expect(highBandAlert(queue(null), 30)).toBeNull();
    expect(highBandAlert(queue(30), 30)).toBeNull();
    expect(highBandAlert(queue(31), 30)).toEqual({ oldestAgeSec: 31, thresholdSec: 30 });
  });
});
