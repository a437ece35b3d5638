import { z } from 'zod';
import type { MessageSelector } from '@/lib/brokers/types';
import { QueueNameSchema, TaskNamePartSchema } from '@/lib/shared/names';
import { PrioritySchema } from '@/lib/shared/priority';
import { PageLimitSchema, SECURITY_EVENT_KINDS } from '@/lib/shared/types';

/** Request bodies of the control endpoints (product.md §4), validated at the edge. */

export const MAX_IDS = 10_000;

export const IdsSchema = z
  .array(z.string().min(1).max(255), { error: 'ids must be an array of task ids' })
  .min(1, { error: 'ids must name at least one task id (omit it to select by match or everything)' })
  .max(MAX_IDS, { error: `at most ${MAX_IDS} ids per request` });

/** The fields of `match`, before the check that it names something (the revoke match extends them). */
export const MatchFieldsSchema = z
  .object({
    task: TaskNamePartSchema.optional(),
    priorities: z
      .array(PrioritySchema)
      .min(1, { error: 'match.priorities must list at least one priority' })
      .max(10)
      .optional(),
  })
  .strict();

export const MatchSchema = MatchFieldsSchema.refine((m) => m.task !== undefined || m.priorities !== undefined, {
  error: 'match is empty: give match.task and/or match.priorities (omit match entirely to select every message)',
});

const QueueRefSchema = z
  .object({
    broker: z.string().min(1).max(64),
    queue: QueueNameSchema,
  })
  .strict();

/** Optional: a client-chosen id to poll GET /api/v1/operations/{id} while the request runs. */
const OperationIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, { error: 'operationId is 8-64 letters, digits, - or _' })
  .optional();

const selection = {
  ids: IdsSchema.optional(),
  match: MatchSchema.optional(),
};

export const ReprioritizeBodySchema = z
  .object({ priority: PrioritySchema, ...selection, dryRun: z.boolean().optional(), operationId: OperationIdSchema })
  .strict();

export const MoveBodySchema = z
  .object({ to: QueueRefSchema, ...selection, priority: PrioritySchema.optional(), dryRun: z.boolean().optional(), operationId: OperationIdSchema })
  .strict();

export const DrainBodySchema = z.object({ to: QueueRefSchema.optional(), operationId: OperationIdSchema }).strict();

export const RestoreDrainedBodySchema = z.object({ from: QueueRefSchema.optional(), operationId: OperationIdSchema }).strict();

export const PurgeBodySchema = z
  .object({
    confirm: z.string({ error: 'confirm is required: type the queue name to purge it' }),
    ...selection,
    operationId: OperationIdSchema,
  })
  .strict();

export const DeleteBodySchema = z
  .object({ ...selection, operationId: OperationIdSchema })
  .strict()
  .refine((b) => b.ids !== undefined || b.match !== undefined, {
    error: 'delete needs ids or match (to delete everything, purge the queue)',
  });

export const RetryBodySchema = z
  .object({ ...selection, priority: PrioritySchema.optional(), operationId: OperationIdSchema })
  .strict();

export const RetryOneBodySchema = z.object({ priority: PrioritySchema.optional() }).strict();

const AuditFilterSchema = z.string().trim().min(1).max(255).optional();

/** Filters match exactly: `action` (retry, purge, …), `actor` (user or token name), `broker`, `queue`. */
export const AuditQuerySchema = z
  .object({
    limit: PageLimitSchema,
    cursor: z.string().max(64).optional(),
    action: AuditFilterSchema,
    actor: AuditFilterSchema,
    broker: AuditFilterSchema,
    queue: AuditFilterSchema,
  })
  .strict();

/** The audit log's filters plus `kind` (failed, denied, login_failed). */
export const SecurityLogQuerySchema = AuditQuerySchema.extend({ kind: z.enum(SECURITY_EVENT_KINDS).optional() }).strict();

export type QueueRef = z.infer<typeof QueueRefSchema>;
export type Match = z.infer<typeof MatchSchema>;

/** ids AND match; neither = every message. */
export function selectorOf(body: { ids?: readonly string[]; match?: Match }): MessageSelector {
  return {
    ...(body.ids ? { ids: [...new Set(body.ids)] } : {}),
    ...(body.match?.task !== undefined ? { task: body.match.task } : {}),
    ...(body.match?.priorities ? { priorities: [...new Set(body.match.priorities)] } : {}),
  };
}

/** Ids as the audit log records them: listed up to 20, past that counted with the first 20. */
export function auditedIds(ids: readonly string[]): readonly string[] | { count: number; first: string[] } {
  return ids.length <= 20 ? ids : { count: ids.length, first: ids.slice(0, 20) };
}

/** The selection as it is recorded in the audit log (ids counted, not listed, past 20). */
export function selectionParams(body: { ids?: readonly string[]; match?: Match }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (body.ids) out.ids = auditedIds(body.ids);
  if (body.match) out.match = body.match;
  if (!body.ids && !body.match) out.all = true;
  return out;
}
