import { describe, expect, it } from 'vitest';
import { TriageError } from './errors';
import {
  ALL_STEPS,
  formatLevelRange,
  levelRange,
  rabbitTaskPriority,
  DEFAULT_RABBIT_MAX_PRIORITY,
  KOMBU_DEFAULT_SEP,
  KOMBU_DEFAULT_STEPS,
  MAX_PRIORITY,
  MIN_PRIORITY,
  PRIORITIES,
  PrioritySchema,
  StepsSchema,
  assertLanes,
  assertPriority,
  assertSteps,
  bandOf,
  collapsedPriorities,
  distinctSorted,
  emptyByPriority,
  fromRabbitPriority,
  isPriority,
  kombuEffectivePriority,
  laneFor,
  laneLevel,
  rabbitLevels,
  stepFor,
  toRabbitPriority,
  type LaneSpec,
} from './priority';

/** Runs fn and returns the TriageError it throws (fails the test if it throws anything else or nothing). */
function triageErrorOf(fn: () => unknown): TriageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TriageError);
    return error as TriageError;
  }
  throw new Error('expected a TriageError, nothing was thrown');
}

const INVALID_PRIORITIES: unknown[] = [
  -1,
  10,
  1.5,
  'high',
  '3',
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  null,
  undefined,
  true,
  [3],
  { priority: 3 },
  -0.5,
  9.0000001,
  255,
];

describe('priority constants', () => {
  it('spans 0..9 with 0 the most urgent', () => {
    expect(MIN_PRIORITY).toBe(0);
    expect(MAX_PRIORITY).toBe(9);
    expect(PRIORITIES).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(ALL_STEPS).toEqual(PRIORITIES);
  });

  it('uses the kombu defaults from celery-wire.md §2.1/§2.2', () => {
    expect(KOMBU_DEFAULT_STEPS).toEqual([0, 3, 6, 9]);
    expect(KOMBU_DEFAULT_SEP).toBe('\x06\x16');
    expect(Buffer.from(KOMBU_DEFAULT_SEP, 'utf8').toString('hex')).toBe('0616');
    expect(DEFAULT_RABBIT_MAX_PRIORITY).toBe(10);
  });

  it('emptyByPriority has all ten keys "0".."9" at zero and is a fresh object each time', () => {
    const a = emptyByPriority();
    expect(Object.keys(a)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(Object.values(a).every((n) => n === 0)).toBe(true);
    a['3'] = 7;
    expect(emptyByPriority()['3']).toBe(0);
  });
});

describe('priority validation', () => {
  it.each(PRIORITIES)('accepts %i', (p) => {
    expect(isPriority(p)).toBe(true);
    expect(assertPriority(p)).toBe(p);
    expect(PrioritySchema.parse(p)).toBe(p);
  });

  it('accepts -0 as 0 (it is the integer 0)', () => {
    expect(isPriority(-0)).toBe(true);
  });

  it.each(INVALID_PRIORITIES.map((v) => [v]))('rejects %j with TriageError INVALID, never clamping', (value) => {
    expect(isPriority(value)).toBe(false);
    const error = triageErrorOf(() => assertPriority(value));
    expect(error.code).toBe('INVALID');
    expect(error.details).toEqual({ path: ['priority'] });
    expect(error.message).toMatch(/0 \(most urgent\) to 9/);
    expect(PrioritySchema.safeParse(value).success).toBe(false);
  });

  it('names the field in the error path and message', () => {
    const error = triageErrorOf(() => assertPriority(12, 'match.priorities[1]'));
    expect(error.code).toBe('INVALID');
    expect(error.details).toEqual({ path: ['match.priorities[1]'] });
    expect(error.message).toContain('match.priorities[1]');
    expect(error.message).toContain('12');
  });

  it('PrioritySchema explains the scale in its messages', () => {
    const result = PrioritySchema.safeParse(10);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/0 and 9/);
    const notInt = PrioritySchema.safeParse(2.5);
    expect(notInt.error?.issues[0]?.message).toMatch(/integer/);
  });
});

describe('bandOf', () => {
  it('maps 0-2 high, 3-5 medium, 6-9 low', () => {
    expect(PRIORITIES.map(bandOf)).toEqual([
      'high',
      'high',
      'high',
      'medium',
      'medium',
      'medium',
      'low',
      'low',
      'low',
      'low',
    ]);
  });

  it.each([[-1], [10], [1.5], [Number.NaN]])('rejects %j', (p) => {
    expect(triageErrorOf(() => bandOf(p)).code).toBe('INVALID');
  });
});

describe('toRabbitPriority', () => {
  it('is exactly 9 − p for x-max-priority 10 (the default)', () => {
    for (const p of PRIORITIES) {
      expect(toRabbitPriority(p)).toBe(9 - p);
      expect(toRabbitPriority(p, 10)).toBe(9 - p);
    }
  });

  it.each([0, 1, 2, 5, 8, 9, 10, 11, 100, 255])(
    'x-max-priority %i: stays within 0..M, non-increasing in p, p=0 gets the top of the range',
    (max) => {
      const wire = PRIORITIES.map((p) => toRabbitPriority(p, max));
      for (const b of wire) {
        expect(Number.isInteger(b)).toBe(true);
        expect(b).toBeGreaterThanOrEqual(0);
        expect(b).toBeLessThanOrEqual(max);
      }
      for (let i = 1; i < wire.length; i++) expect(wire[i]).toBeLessThanOrEqual(wire[i - 1]!);
      // The top wire value Triage uses: M itself when M < 9; 9 otherwise, so that Triage's 0..9
      // lines up with the 0..9 Celery producers send to the same queue (9 = most urgent there).
      expect(wire[0]).toBe(Math.max(...wire));
      expect(wire[0]).toBe(Math.min(max, 9));
      // The least urgent priority always gets the bottom.
      expect(wire[9]).toBe(0);
    },
  );

  it('spreads 9 − p over smaller maxima', () => {
    expect(PRIORITIES.map((p) => toRabbitPriority(p, 5))).toEqual([5, 4, 3, 3, 2, 2, 1, 1, 0, 0]);
    expect(PRIORITIES.map((p) => toRabbitPriority(p, 1))).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // A queue without x-max-priority ignores priority: everything is 0.
    expect(PRIORITIES.map((p) => toRabbitPriority(p, 0))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(PRIORITIES.map((p) => toRabbitPriority(p, 255))).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });

  it('rejects invalid priorities and maxima instead of clamping', () => {
    expect(triageErrorOf(() => toRabbitPriority(-1)).code).toBe('INVALID');
    expect(triageErrorOf(() => toRabbitPriority(10)).code).toBe('INVALID');
    expect(triageErrorOf(() => toRabbitPriority(2.5)).code).toBe('INVALID');
    expect(triageErrorOf(() => toRabbitPriority(3, 256)).code).toBe('INVALID');
    expect(triageErrorOf(() => toRabbitPriority(3, -1)).code).toBe('INVALID');
    expect(triageErrorOf(() => toRabbitPriority(3, 9.5)).code).toBe('INVALID');
  });
});

describe('fromRabbitPriority', () => {
  it('inverts 9 − b for x-max-priority 10', () => {
    for (let b = 0; b <= 9; b++) expect(fromRabbitPriority(b)).toBe(9 - b);
  });

  it('counts a message without priority as 9 (RabbitMQ delivers it like 0, last)', () => {
    expect(fromRabbitPriority(null)).toBe(9);
    expect(fromRabbitPriority(undefined)).toBe(9);
    expect(fromRabbitPriority(null, 10)).toBe(9);
    expect(fromRabbitPriority(Number.NaN)).toBe(9);
  });

  it.each([10, 11, 255])('counts b=%i, above the top, as 0 for M=10 (RabbitMQ treats it as the maximum)', (b) => {
    expect(fromRabbitPriority(b, 10)).toBe(0);
  });

  it('treats a non-integer wire value as its integer part and negatives as 0', () => {
    expect(fromRabbitPriority(4.7)).toBe(5);
    expect(fromRabbitPriority(-3)).toBe(9);
  });

  it.each([0, 1, 2, 3, 5, 8, 9, 10, 11, 100, 255])(
    'x-max-priority %i: fromRabbit(toRabbit(p)) is the most urgent level sharing that wire value',
    (max) => {
      for (const p of PRIORITIES) {
        const wire = toRabbitPriority(p, max);
        const level = fromRabbitPriority(wire, max);
        const sharing = PRIORITIES.filter((q) => toRabbitPriority(q, max) === wire);
        expect(level).toBe(Math.min(...sharing));
        expect(level).toBeLessThanOrEqual(p);
        // Idempotent: the level maps back to the same wire value.
        expect(toRabbitPriority(level, max)).toBe(wire);
      }
    },
  );

  it.each([0, 1, 2, 5, 9, 10, 255])(
    'x-max-priority %i: no priority and every wire value land on a level the queue holds (rabbitLevels)',
    (max) => {
      const levels = rabbitLevels(max);
      expect(levels).toContain(fromRabbitPriority(null, max));
      // Without priority RabbitMQ delivers exactly like 0, so both count under the same level.
      expect(fromRabbitPriority(null, max)).toBe(fromRabbitPriority(0, max));
      for (let b = 0; b <= 260; b++) expect(levels).toContain(fromRabbitPriority(b, max));
    },
  );

  it('maps everything to 0 on a queue without x-max-priority (M=0)', () => {
    expect(fromRabbitPriority(null, 0)).toBe(0);
    expect(fromRabbitPriority(0, 0)).toBe(0);
    expect(fromRabbitPriority(5, 0)).toBe(0);
  });

  it('rejects an invalid maximum', () => {
    expect(triageErrorOf(() => fromRabbitPriority(3, 256)).code).toBe('INVALID');
    expect(triageErrorOf(() => fromRabbitPriority(null, -1)).code).toBe('INVALID');
  });
});

describe('rabbitLevels', () => {
  it('is 0..9 for x-max-priority 10 and more', () => {
    expect(rabbitLevels()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(rabbitLevels(10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(rabbitLevels(9)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(rabbitLevels(255)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('has one level per distinct wire value for smaller maxima', () => {
    expect(rabbitLevels(0)).toEqual([0]);
    expect(rabbitLevels(1)).toEqual([0, 1]);
    expect(rabbitLevels(5)).toEqual([0, 1, 2, 4, 6, 8]);
    for (let max = 0; max <= 12; max++) {
      const distinctWire = new Set(PRIORITIES.map((p) => toRabbitPriority(p, max)));
      expect(rabbitLevels(max)).toHaveLength(distinctWire.size);
      expect(rabbitLevels(max)[0]).toBe(0);
    }
  });
});

describe('stepFor (kombu Redis steps)', () => {
  it('rounds down to kombu default steps exactly as celery-wire.md §2.2', () => {
    const table: Record<number, number> = { 0: 0, 1: 0, 2: 0, 3: 3, 4: 3, 5: 3, 6: 6, 7: 6, 8: 6, 9: 9 };
    for (const p of PRIORITIES) {
      expect(stepFor(p)).toBe(table[p]);
      expect(stepFor(p, KOMBU_DEFAULT_STEPS)).toBe(table[p]);
    }
  });

  it('matches kombu priority(n) = steps[bisect_right(steps, n) - 1] for other step sets', () => {
    const bisectStep = (steps: readonly number[], n: number) => {
      let i = 0;
      while (i < steps.length && steps[i]! <= n) i++;
      return steps[i - 1];
    };
    const stepSets: number[][] = [[0], [0, 9], [0, 5], [0, 1, 2], [0, 2, 4, 6, 8], [0, 3, 6, 9], [...ALL_STEPS]];
    for (const steps of stepSets) {
      for (const p of PRIORITIES) expect(stepFor(p, steps)).toBe(bisectStep(steps, p));
    }
  });

  it('gives every priority its own list with all ten steps', () => {
    for (const p of PRIORITIES) expect(stepFor(p, ALL_STEPS)).toBe(p);
  });

  it('rejects invalid priorities', () => {
    expect(triageErrorOf(() => stepFor(10)).code).toBe('INVALID');
    expect(triageErrorOf(() => stepFor(-1)).code).toBe('INVALID');
    expect(triageErrorOf(() => stepFor(Number.NaN)).code).toBe('INVALID');
  });
});

describe('StepsSchema / assertSteps', () => {
  it.each([[[0]], [[0, 3, 6, 9]], [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]], [[0, 9]], [[0, 5]]])('accepts %j', (steps) => {
    expect(StepsSchema.safeParse(steps).success).toBe(true);
    expect(assertSteps(steps)).toBe(steps);
  });

  it.each([
    ['unsorted', [0, 6, 3, 9]],
    ['duplicate', [0, 3, 3, 9]],
    ['not starting at 0', [1, 3, 6, 9]],
    ['not starting at 0 (single)', [3]],
    ['above 9', [0, 3, 10]],
    ['negative', [-1, 0, 3]],
    ['non-integer', [0, 2.5]],
    ['empty', []],
    ['NaN', [0, Number.NaN]],
  ])('rejects %s: %j', (_what, steps) => {
    expect(StepsSchema.safeParse(steps).success).toBe(false);
    const error = triageErrorOf(() => assertSteps(steps));
    expect(error.code).toBe('INVALID');
    expect(error.message).toContain('invalid priority steps');
  });

  it('says why in the message', () => {
    expect(triageErrorOf(() => assertSteps([0, 6, 3])).message).toMatch(/strictly increasing/);
    expect(triageErrorOf(() => assertSteps([2, 6])).message).toMatch(/start at 0/);
  });
});

describe('kombuEffectivePriority (kombu _get_message_priority: int(), clamp 0..9, errors → 0)', () => {
  it.each([
    [0, 0],
    [5, 5],
    [9, 9],
    [10, 9],
    [255, 9],
    [1e30, 9],
    [-1, 0],
    [-255, 0],
    [2.9, 2], // int() truncates
    [-0.5, 0],
    ['7', 7],
    [' 7 ', 7], // int() strips whitespace
    ['+3', 3],
    ['-2', 0],
    ['1_0', 9], // int('1_0') == 10
    ['12', 9],
    [true, 1], // bool is an int in Python
    [false, 0],
  ])('%j → %i', (raw, expected) => {
    expect(kombuEffectivePriority(raw)).toBe(expected);
  });

  it.each([
    [undefined],
    [null],
    [Number.NaN],
    ['high'],
    [''],
    ['5abc'], // int('5abc') raises ValueError → default 0
    ['5.5'], // int('5.5') raises ValueError → default 0
    ['0x5'],
    [[5]],
    [{ priority: 5 }],
  ])('invalid or missing %j → 0', (raw) => {
    expect(kombuEffectivePriority(raw)).toBe(0);
  });
});

describe('collapsedPriorities', () => {
  it('lists the priorities that share a list with a more urgent one', () => {
    expect(collapsedPriorities(KOMBU_DEFAULT_STEPS)).toEqual([1, 2, 4, 5, 7, 8]);
    expect(collapsedPriorities(ALL_STEPS)).toEqual([]);
    expect(collapsedPriorities([0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(collapsedPriorities([0, 5])).toEqual([1, 2, 3, 4, 6, 7, 8, 9]);
  });
});

describe('distinctSorted', () => {
  it('dedupes and sorts numerically (not lexically)', () => {
    expect(distinctSorted([9, 10, 1, 9, 0, 2])).toEqual([0, 1, 2, 9, 10]);
    expect(distinctSorted([])).toEqual([]);
  });
});

describe('lane groups', () => {
  const THREE_LANES: LaneSpec[] = [
    { queue: 'high_priority', priorities: [0, 2] },
    { queue: 'medium_priority', priorities: [3, 5] },
    { queue: 'low_priority', priorities: [6, 9] },
  ];

  it('accepts a 3-lane 0-2/3-5/6-9 group, a single lane and ten lanes', () => {
    expect(assertLanes(THREE_LANES)).toBe(THREE_LANES);
    expect(() => assertLanes([{ queue: 'all', priorities: [0, 9] }])).not.toThrow();
    expect(() => assertLanes(PRIORITIES.map((p) => ({ queue: `q${p}`, priorities: [p, p] as const })))).not.toThrow();
  });

  it.each([
    ['empty', []],
    [
      'a gap (3 missing)',
      [
        { queue: 'a', priorities: [0, 2] },
        { queue: 'b', priorities: [4, 9] },
      ],
    ],
    [
      'an overlap',
      [
        { queue: 'a', priorities: [0, 3] },
        { queue: 'b', priorities: [3, 9] },
      ],
    ],
    [
      'not starting at 0',
      [
        { queue: 'a', priorities: [1, 5] },
        { queue: 'b', priorities: [6, 9] },
      ],
    ],
    [
      'not reaching 9',
      [
        { queue: 'a', priorities: [0, 5] },
        { queue: 'b', priorities: [6, 8] },
      ],
    ],
    [
      'out of order',
      [
        { queue: 'b', priorities: [6, 9] },
        { queue: 'a', priorities: [0, 5] },
      ],
    ],
    [
      'a reversed range',
      [
        { queue: 'a', priorities: [5, 0] },
        { queue: 'b', priorities: [6, 9] },
      ],
    ],
    [
      'beyond 9',
      [
        { queue: 'a', priorities: [0, 5] },
        { queue: 'b', priorities: [6, 10] },
      ],
    ],
    [
      'the same queue in two lanes',
      [
        { queue: 'a', priorities: [0, 4] },
        { queue: 'a', priorities: [5, 9] },
      ],
    ],
    [
      'a non-integer bound',
      [
        { queue: 'a', priorities: [0, 4.5] },
        { queue: 'b', priorities: [5, 9] },
      ],
    ],
  ] as [string, LaneSpec[]][])('rejects %s', (_what, lanes) => {
    expect(triageErrorOf(() => assertLanes(lanes)).code).toBe('INVALID');
  });

  it('laneFor finds the lane holding each priority', () => {
    expect(PRIORITIES.map((p) => laneFor(p, THREE_LANES).queue)).toEqual([
      'high_priority',
      'high_priority',
      'high_priority',
      'medium_priority',
      'medium_priority',
      'medium_priority',
      'low_priority',
      'low_priority',
      'low_priority',
      'low_priority',
    ]);
  });

  it('laneFor rejects an invalid priority and one no lane holds', () => {
    expect(triageErrorOf(() => laneFor(10, THREE_LANES)).code).toBe('INVALID');
    expect(triageErrorOf(() => laneFor(7, [{ queue: 'a', priorities: [0, 5] }])).code).toBe('INVALID');
  });

  it('laneLevel keeps a step inside the lane range', () => {
    const [high, medium, low] = THREE_LANES as [LaneSpec, LaneSpec, LaneSpec];
    // A Celery producer that sent no priority to the low lane lands in its step 0: still "low".
    expect(laneLevel(low, 0)).toBe(6);
    expect(laneLevel(low, 3)).toBe(6);
    expect(laneLevel(low, 6)).toBe(6);
    expect(laneLevel(low, 9)).toBe(9);
    expect(laneLevel(medium, 0)).toBe(3);
    expect(laneLevel(medium, 3)).toBe(3);
    expect(laneLevel(medium, 6)).toBe(5);
    expect(laneLevel(high, 0)).toBe(0);
    expect(laneLevel(high, 9)).toBe(2);
    for (const lane of THREE_LANES) {
      for (const step of ALL_STEPS) {
        const level = laneLevel(lane, step);
        expect(level).toBeGreaterThanOrEqual(lane.priorities[0]);
        expect(level).toBeLessThanOrEqual(lane.priorities[1]);
        expect(laneFor(level, THREE_LANES)).toBe(lane);
      }
    }
  });
});

describe('a task\'s own priority beside the level it is stored under', () => {
  it('RabbitMQ: the triage_priority header wins while the wire value agrees with it, else the level', () => {
    // x-max-priority 4 writes 1 and 2 alike (wire 3): only the header tells them apart.
    expect(toRabbitPriority(1, 4)).toBe(toRabbitPriority(2, 4));
    expect(rabbitTaskPriority(2, toRabbitPriority(2, 4), 4)).toBe(2);
    expect(rabbitTaskPriority(1, toRabbitPriority(1, 4), 4)).toBe(1);
    // Republished at another priority without the header: the wire value is the truth.
    expect(rabbitTaskPriority(1, toRabbitPriority(7, 4), 4)).toBe(fromRabbitPriority(toRabbitPriority(7, 4), 4));
    // No header (a Celery producer), or a bad one: the level.
    expect(rabbitTaskPriority(undefined, 8, 10)).toBe(1);
    expect(rabbitTaskPriority('1', 8, 10)).toBe(1);
    expect(rabbitTaskPriority(12, 8, 10)).toBe(1);
    expect(rabbitTaskPriority(3, null, 10)).toBe(9);
  });

  it('levelRange names the priorities a level holds', () => {
    const kombu = PRIORITIES.map((p) => stepFor(p, KOMBU_DEFAULT_STEPS));
    expect(levelRange(kombu, 0)).toEqual([0, 2]);
    expect(levelRange(kombu, 9)).toEqual([9, 9]);
    // A level no priority maps to (a lane's deeper step): just itself.
    expect(levelRange(kombu, 4)).toEqual([4, 4]);
    expect(formatLevelRange([0, 2])).toBe('P0–2');
    expect(formatLevelRange([9, 9])).toBe('P9');
  });
});
