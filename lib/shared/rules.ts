import { z } from 'zod';
import { QueueNameSchema, TaskNamePartSchema } from './names';
import { PrioritySchema } from './priority';

/**
 * Standing rules (docs/rules.md): what a rule matches among the messages arriving in one
 * queue, what it does to them, until when. Shared by the API and the browser.
 */

/** A rule lives at most this long: it is an incident measure, not configuration. */
export const MAX_RULE_LIFETIME_MS = 24 * 3600_000;

export const RuleMatchSchema = z
  .object({
    task: TaskNamePartSchema.optional(),
    text: z.string().trim().min(1, { error: 'match.text must not be empty' }).max(200).optional(),
    priorities: z.array(PrioritySchema).min(1, { error: 'match.priorities must list at least one priority' }).max(10).optional(),
  })
  .strict();

const QueueRefSchema = z.object({ broker: z.string().min(1).max(64), queue: QueueNameSchema }).strict();

export const RuleActionSchema = z.union(
  [
    z.object({ priority: PrioritySchema }).strict(),
    z.object({ moveTo: QueueRefSchema }).strict(),
    z.object({ park: z.literal(true) }).strict(),
    z.object({ delete: z.literal(true) }).strict(),
  ],
  { error: 'action is one of {priority: 0-9}, {moveTo: {broker, queue}}, {park: true}, {delete: true}' },
);

export const NewRuleSchema = z
  .object({
    broker: z.string().min(1).max(64),
    queue: QueueNameSchema,
    match: RuleMatchSchema.default({}),
    action: RuleActionSchema,
    expiresAt: z.iso.datetime({ offset: true, error: 'expiresAt is required: an ISO time at most 24 h from now' }),
    note: z.string().trim().max(500).optional(),
    dryRun: z.boolean().optional(),
  })
  .strict();

export type RuleMatch = z.infer<typeof RuleMatchSchema>;
export type RuleAction = z.infer<typeof RuleActionSchema>;
export type NewRule = z.infer<typeof NewRuleSchema>;

export const RULE_STATES = ['active', 'paused', 'expired', 'deleted'] as const;
export type RuleState = (typeof RULE_STATES)[number];

/** A rule as stored (lib/state/rules.ts). */
export interface RuleDefinition {
  id: string;
  broker: string;
  queue: string;
  match: RuleMatch;
  action: RuleAction;
  /** ISO times. */
  createdAt: string;
  expiresAt: string;
  createdBy: string;
  note?: string;
  pausedAt?: string;
  deletedAt?: string;
}

/** A rule as the API lists it. */
export interface Rule extends RuleDefinition {
  /** Messages it acted on (moved, parked, deleted); each counted once. */
  applied: number;
  lastAppliedAt: string | null;
  state: RuleState;
}

export interface RulePreview {
  /** Waiting now that the rule's match selects. */
  matchingNow: number;
  /** The scan stopped at its cap: `matchingNow` is a lower bound. */
  matchingNowPartial?: boolean;
  /** Tasks of that match seen in the last 15 minutes (the task index), per minute. */
  matchingPerMin: number;
}

export function ruleState(rule: RuleDefinition, now: number): RuleState {
  if (rule.deletedAt) return 'deleted';
  if (Date.parse(rule.expiresAt) <= now) return 'expired';
  if (rule.pausedAt) return 'paused';
  return 'active';
}

/** Does an arriving message fall under `match`? Task: substring of the name; text: of id, name or args/kwargs; ignoring case. */
export function ruleMatches(match: RuleMatch, message: { id: string | null; task: string | null; priority: number; argsText: string }): boolean {
  if (match.priorities && !match.priorities.includes(message.priority)) return false;
  if (match.task !== undefined && (message.task === null || !message.task.toLowerCase().includes(match.task.toLowerCase()))) return false;
  if (match.text !== undefined) {
    const haystack = `${message.id ?? ''} ${message.task ?? ''} ${message.argsText}`.toLowerCase();
    if (!haystack.includes(match.text.toLowerCase())) return false;
  }
  return true;
}

/** One line for lists and audit entries: "P8", "move to b/q", "park", "delete (archived)". */
export function describeAction(action: RuleAction): string {
  if ('priority' in action) return `set P${action.priority}`;
  if ('moveTo' in action) return `move to ${action.moveTo.broker}/${action.moveTo.queue}`;
  if ('park' in action) return 'park';
  return 'delete (archived)';
}
