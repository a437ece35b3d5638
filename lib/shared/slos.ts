import { z } from 'zod';
import { bandOf, levelRange, PRIORITIES, PrioritySchema, type Band } from './priority';
import { QueueNameSchema } from './names';
import { PARKING_SUFFIXES } from './parking';
import type { Queue } from './types';

/**
 * Priority SLOs: how long tasks of a queue's band (or listed priorities) may wait before
 * they start. Definitions come from the config file (read-only) and from admins (the state
 * Redis); lib/server/slo-evaluator.ts turns them into states once per deployment.
 */

export const SLO_STATES = ['ok', 'at_risk', 'breached'] as const;
export type SloStateName = (typeof SLO_STATES)[number];

/** At risk from this share of the maximum wait on, so someone can act before the breach. */
export const AT_RISK_RATIO = 0.8;
export const MAX_SLO_WAIT_SEC = 7 * 24 * 3600;
export const MAX_SLOS = 500;

const BAND_PRIORITIES: Record<Band, number[]> = {
  high: PRIORITIES.filter((p) => bandOf(p) === 'high'),
  medium: PRIORITIES.filter((p) => bandOf(p) === 'medium'),
  low: PRIORITIES.filter((p) => bandOf(p) === 'low'),
};

export const SloIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'SLO ids are 1-64 letters, digits, . _ - (starting with a letter or digit)' });

/** A queue name, or a pattern where `*` stands for any run of characters (`reports-*`, `*`). */
export const QueuePatternSchema = QueueNameSchema;

export const SloSchema = z
  .object({
    id: SloIdSchema,
    broker: z.string().min(1, { error: 'broker is required' }).max(64),
    queue: QueuePatternSchema,
    band: z.enum(['high', 'medium', 'low']).optional(),
    priorities: z
      .array(PrioritySchema)
      .min(1, { error: 'priorities lists at least one priority' })
      .max(10)
      .refine((ps) => new Set(ps).size === ps.length, { error: 'priorities are listed once each' })
      .optional(),
    maxWaitSec: z
      .number({ error: 'maxWaitSec is a number of seconds' })
      .int({ error: 'maxWaitSec is a whole number of seconds' })
      .min(1, { error: 'maxWaitSec is at least 1 second' })
      .max(MAX_SLO_WAIT_SEC, { error: `maxWaitSec is at most ${MAX_SLO_WAIT_SEC} seconds (7 days)` }),
  })
  .strict()
  .refine((slo) => (slo.band === undefined) !== (slo.priorities === undefined), {
    error: 'an SLO names either a band or a list of priorities, not both and not neither',
    path: ['band'],
  });

export type Slo = z.infer<typeof SloSchema>;

/** Ids are unique across the list (checked wherever a list is accepted: config file, PUT). */
export function duplicateSloIds(slos: readonly Pick<Slo, 'id'>[]): string[] {
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const { id } of slos) (seen.has(id) ? dups : seen).add(id);
  return [...dups];
}

export const SloListSchema = z
  .array(SloSchema)
  .max(MAX_SLOS, { error: `at most ${MAX_SLOS} SLOs` })
  .superRefine((slos, ctx) => {
    for (const id of duplicateSloIds(slos)) ctx.addIssue({ code: 'custom', message: `SLO id ${JSON.stringify(id)} is used more than once` });
  });

export const ReplaceSlosSchema = z.object({ slos: SloListSchema }).strict();

/** Where a definition comes from: the config file's are read-only through the API. */
export type SloSource = 'config' | 'edited';

export type SloView = Slo & { source: SloSource };

/** One SLO's state on one queue (a pattern SLO has one per matching queue). */
export interface SloStateRecord {
  sloId: string;
  broker: string;
  queue: string;
  state: SloStateName;
  /** ISO time this state began: kept while the state holds, renewed on every change. */
  since: string;
  /** The longest wait seen at the SLO's priorities: oldest waiting task or recent p95 wait; null when nothing tells. */
  worstWaitSec: number | null;
  maxWaitSec: number;
  /** `high`, `medium`, `low`, or the priorities (`P0,1`): the /metrics `band` label. */
  scope: string;
  /** The SLO covers only high-band priorities (0–2): a breach shows the site-wide banner. */
  high: boolean;
  evaluatedAt: string;
}

/** A change of state, for alerting (lib/alerts subscribes): `from` null is an SLO's first state on a queue. */
export interface SloTransition {
  sloId: string;
  broker: string;
  queue: string;
  from: SloStateName | null;
  to: SloStateName;
  at: string;
  worstWaitSec: number | null;
  maxWaitSec: number;
  scope: string;
  high: boolean;
}

export interface SlosPayload {
  slos: SloView[];
  states: SloStateRecord[];
}

export function sloPriorities(slo: Pick<Slo, 'band' | 'priorities'>): number[] {
  return slo.band ? BAND_PRIORITIES[slo.band] : [...(slo.priorities ?? [])].sort((a, b) => a - b);
}

export function sloScope(slo: Pick<Slo, 'band' | 'priorities'>): string {
  return slo.band ?? `P${sloPriorities(slo).join(',')}`;
}

export function isHighSlo(slo: Pick<Slo, 'band' | 'priorities'>): boolean {
  return sloPriorities(slo).every((p) => bandOf(p) === 'high');
}

function patternRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/**
 * Whether `slo` covers `queue` of `broker`. A pattern never matches a parking queue
 * (`.drained`, `.dead`): those hold work on purpose; naming one exactly still does.
 */
export function sloMatches(slo: Pick<Slo, 'broker' | 'queue'>, broker: string, queue: string): boolean {
  if (slo.broker !== broker) return false;
  if (!slo.queue.includes('*')) return slo.queue === queue;
  if (PARKING_SUFFIXES.some((suffix) => queue.endsWith(suffix))) return false;
  return patternRegExp(slo.queue).test(queue);
}

export function classifyWait(worstWaitSec: number | null, maxWaitSec: number): SloStateName {
  if (worstWaitSec === null) return 'ok';
  if (worstWaitSec > maxWaitSec) return 'breached';
  return worstWaitSec >= AT_RISK_RATIO * maxWaitSec ? 'at_risk' : 'ok';
}

type QueueWaits = Pick<Queue, 'levels' | 'levelOf' | 'byPriority' | 'oldestAgeSecByPriority' | 'waitTimes'>;

/**
 * The longest wait at `priorities` in `queue`: the age of the oldest task still waiting at a
 * level that stores one of them, or the p95 wait (enqueued → started) of such a level over
 * the recent window, whichever is longer. A level stores a range (`P0–2` on kombu's default
 * steps), so an SLO on P0 alone is judged by its whole level: the queue cannot tell them apart.
 */
export function worstWaitSec(queue: QueueWaits, priorities: readonly number[]): number | null {
  const wanted = new Set(priorities);
  let worst: number | null = null;
  for (const level of queue.levels) {
    const [from, to] = levelRange(queue.levelOf, level);
    let covered = false;
    for (let p = from; p <= to; p++) if (wanted.has(p)) covered = true;
    if (!covered) continue;
    const depth = queue.byPriority[String(level)] ?? 0;
    const age = depth > 0 ? (queue.oldestAgeSecByPriority[String(level)] ?? null) : null;
    const p95 = queue.waitTimes?.levels[String(level)]?.p95 ?? null;
    for (const candidate of [age, p95]) if (candidate !== null && (worst === null || candidate > worst)) worst = candidate;
  }
  return worst;
}
