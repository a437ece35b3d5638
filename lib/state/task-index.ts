import type { ChainableCommander, Redis } from 'ioredis';
import { TriageError } from '@/lib/shared/errors';
import type { TaskFilter } from '@/lib/shared/task-filter';
import { matchesSummary, matchesText } from '@/lib/shared/task-filter';
import type { TaskRecord } from '@/lib/shared/task-record';
import { EXECUTION_STATES, summarizeTask, type ExecutionState, type TaskSummary } from '@/lib/shared/task-summary';
import { execOrThrow } from '@/lib/redis/multi';
import { stateKeys } from './keys';

/**
 * The task explorer's index over task records: who wrote a record (Triage's worker through
 * lib/worker/recorder.ts, Celery's events through TaskStore.save) also indexes it, in the
 * same pipeline.
 *
 * Layout (keys.ts): `tasks:index`, a sorted set of every retained execution scored by its
 * last change (ms); `tasks:state:<state>`, one sorted set per explorer state holding each id
 * in exactly one of them; `tasks:summary`, a hash id → the row, encoded compactly.
 * Retention: executions last changed longer ago than `maxAgeSec` leave the index (their
 * documents expire by their TTL, the same span from their last write), and the oldest beyond
 * `maxCount` leave it with their documents. The writes trim, at most max(64, 2 × written)
 * per write, so the index converges to the bound and no sweeper is needed. "Last change" is
 * the record's `updatedAt` (for Celery, the event's time on its worker's clock).
 * Memory: about 530 bytes per execution for the index (two sorted-set entries and a row;
 * bench/results/task-explorer.md), besides the documents themselves.
 *
 * Cost of a listing (`list`), whatever the number retained:
 * - no filter, or state and time only: one script call (a rank lookup and a range read per
 *   state set merged, O(k·(log N + limit))) and one HMGET of `limit` rows;
 * - other filters (task, queue, broker, worker, priority, id prefix) are applied to rows
 *   read newest first in chunks, at most SCAN_BUDGET index entries per request; `q` reads
 *   the documents of rows that pass the others, at most TEXT_BUDGET per request;
 * - a page cut short by its budget returns fewer rows and a cursor that continues the scan.
 * Counts per state are one ZCARD, or a ZCOUNT over the time range, per state.
 *
 * Cursors name a position (score, id): paging never shows an execution twice nor skips one
 * that did not change meanwhile. An execution that changes moves to the front (its new last
 * change), where the live first page shows it.
 */

export interface TaskRetention {
  /** Executions last changed longer ago are trimmed; also the task documents' TTL. */
  maxAgeSec: number;
  /** At most this many executions are kept; the oldest changes go first. */
  maxCount: number;
}

export const DEFAULT_TASK_RETENTION: TaskRetention = { maxAgeSec: 7 * 24 * 3600, maxCount: 1_000_000 };

/** Index entries one request may examine for filters the index cannot answer. */
export const SCAN_BUDGET = 10_000;
/** Task documents one request may read for `q`. */
export const TEXT_BUDGET = 2_000;
const MIN_CHUNK = 200;
const MAX_CHUNK = 1_000;
const MIN_TRIM = 64;

/**
 * task-index-write — indexes task records, then trims to the retention.
 *
 * KEYS[1] the index (sorted set id → last change ms)
 * KEYS[2] the rows (hash id → encoded summary)
 * KEYS[3..] the per-state sorted sets, in EXECUTION_STATES order
 * ARGV[1] the task documents' key prefix: the document of an execution trimmed for the count
 *         goes too (one trimmed for its age expires by its own TTL, set at its last write)
 * ARGV[2] cutoff, ms: executions last changed before it are trimmed
 * ARGV[3] most executions kept
 * ARGV[4] most executions trimmed by this call
 * ARGV[5..] per record: id, last change (ms), state (1-based into KEYS[3..]), encoded row
 *
 * Returns how many executions were trimmed.
 */
const WRITE_LUA = `
local states = #KEYS - 2
for i = 5, #ARGV, 4 do
  local id, score, state = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  redis.call('ZADD', KEYS[1], score, id)
  for s = 1, states do
    if s == state then redis.call('ZADD', KEYS[s + 2], score, id) else redis.call('ZREM', KEYS[s + 2], id) end
  end
  redis.call('HSET', KEYS[2], id, ARGV[i + 3])
end
local budget = tonumber(ARGV[4])
local victims = redis.call('ZRANGE', KEYS[1], '-inf', '(' .. ARGV[2], 'BYSCORE', 'LIMIT', 0, budget)
local aged = #victims
local excess = redis.call('ZCARD', KEYS[1]) - aged - tonumber(ARGV[3])
if excess > 0 and aged < budget then
  local more = redis.call('ZRANGE', KEYS[1], aged, aged + math.min(excess, budget - aged) - 1)
  for _, id in ipairs(more) do victims[#victims + 1] = id end
end
if #victims == 0 then return 0 end
redis.call('ZREM', KEYS[1], unpack(victims))
for s = 1, states do redis.call('ZREM', KEYS[s + 2], unpack(victims)) end
redis.call('HDEL', KEYS[2], unpack(victims))
for i = aged + 1, #victims do redis.call('DEL', ARGV[1] .. victims[i]) end
return #victims
`;

/**
 * task-index-page — up to ARGV[4] executions after a position, newest change first, merged
 * from one or more sorted sets (the index, or the sets of the states asked for).
 *
 * KEYS the sorted sets to merge
 * ARGV[1] the position's score; '' = from the newest
 * ARGV[2] the position's id; '' = the position itself is included (score <= ARGV[1]),
 *         otherwise strictly after (score, id) in the order below
 * ARGV[3] lowest score wanted; '' = none
 * ARGV[4] how many
 *
 * Order: score descending, then id descending (Redis's own order within a score, read in
 * reverse). Where the position's id is still in a set at that score, reading resumes at its
 * rank + 1; otherwise (it changed, or belongs to another set) at the first entry with a
 * score <= the position's, skipping ties at or above its id.
 * Returns a flat list: id, score, id, score…
 */
const PAGE_LUA = `
local maxScore, id, minScore, count = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local maxNum = tonumber(maxScore)
local minNum = tonumber(minScore)
local found = {}
for _, key in ipairs(KEYS) do
  local start = 0
  if maxNum then
    local rank = nil
    if id ~= '' then
      rank = redis.call('ZREVRANK', key, id)
      if rank and tonumber(redis.call('ZSCORE', key, id)) ~= maxNum then rank = nil end
    end
    if rank then start = rank + 1 else start = redis.call('ZCOUNT', key, '(' .. maxScore, '+inf') end
  end
  local taken = 0
  local done = false
  while not done and taken < count do
    local batch = redis.call('ZRANGE', key, start, start + count - 1, 'REV', 'WITHSCORES')
    if #batch == 0 then break end
    for i = 1, #batch, 2 do
      local member, score = batch[i], tonumber(batch[i + 1])
      if minNum and score < minNum then done = true break end
      if not (id ~= '' and score == maxNum and member >= id) then
        found[#found + 1] = { member, score, batch[i + 1] }
        taken = taken + 1
        if taken >= count then break end
      end
    end
    start = start + #batch / 2
  end
end
if #KEYS > 1 then
  table.sort(found, function(a, b)
    if a[2] ~= b[2] then return a[2] > b[2] end
    return a[1] > b[1]
  end)
end
local out = {}
for i = 1, math.min(count, #found) do
  out[#out + 1] = found[i][1]
  out[#out + 1] = found[i][3]
end
return out
`;

const WRITE_COMMAND = 'triageTaskIndexWrite';
const PAGE_COMMAND = 'triageTaskIndexPage';
type ScriptCall = (numKeys: number, ...args: (string | number)[]) => Promise<unknown>;

interface Position {
  /** ms; null = from the newest. */
  score: number | null;
  /** '' = the position's score itself is included. */
  id: string;
}

interface Entry {
  id: string;
  score: number;
}

// The row as stored: a JSON array, times in ms, the state as its index in EXECUTION_STATES.
type StoredRow = [
  task: string,
  state: number,
  broker: string,
  queue: string,
  priority: number | null,
  worker: string | null,
  receivedAt: number | null,
  startedAt: number | null,
  finishedAt: number | null,
  waitMs: number | null,
  runtimeMs: number | null,
  retries: number,
  error: string | null,
  eta: number | null,
  updatedAt: number,
];

const ms = (iso: string | null): number | null => {
  if (!iso) return null;
  const value = Date.parse(iso);
  return Number.isFinite(value) ? value : null;
};
const iso = (value: number | null): string | null => (value === null ? null : new Date(value).toISOString());

export function encodeRow(summary: TaskSummary): string {
  const row: StoredRow = [
    summary.task,
    EXECUTION_STATES.indexOf(summary.state),
    summary.broker,
    summary.queue,
    summary.priority,
    summary.worker,
    ms(summary.receivedAt),
    ms(summary.startedAt),
    ms(summary.finishedAt),
    summary.waitMs,
    summary.runtimeMs,
    summary.retries,
    summary.error,
    ms(summary.eta),
    ms(summary.updatedAt) ?? 0,
  ];
  return JSON.stringify(row);
}

export function decodeRow(id: string, text: string): TaskSummary | null {
  try {
    const row = JSON.parse(text) as StoredRow;
    const state = EXECUTION_STATES[row[1]];
    if (!Array.isArray(row) || !state) return null;
    return {
      id,
      task: row[0],
      state,
      broker: row[2],
      queue: row[3],
      priority: row[4],
      worker: row[5],
      receivedAt: iso(row[6]),
      startedAt: iso(row[7]),
      finishedAt: iso(row[8]),
      waitMs: row[9],
      runtimeMs: row[10],
      retries: row[11],
      error: row[12],
      eta: iso(row[13]),
      updatedAt: iso(row[14])!,
    };
  } catch {
    return null;
  }
}

export function encodeCursor(position: Entry): string {
  return Buffer.from(`${position.score}:${position.id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): Position {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{1,16}):(.+)$/s.exec(text);
  if (!match) throw new TriageError('INVALID', 'cursor: not a cursor this server gave out', [{ path: ['cursor'], message: 'not a cursor this server gave out' }]);
  return { score: Number(match[1]), id: match[2]! };
}

/** Whether rows must be read and tested beyond what the sorted sets answer. */
function scans(filter: TaskFilter): boolean {
  return Boolean(filter.tasks || filter.queues || filter.brokers || filter.workers || filter.priorities || filter.text || filter.idPrefix);
}

export class TaskIndex {
  private readonly keys;
  private readonly stateKeys: string[];

  constructor(
    private readonly redis: Redis,
    prefix: string,
    readonly retention: TaskRetention = DEFAULT_TASK_RETENTION,
  ) {
    this.keys = stateKeys(prefix);
    this.stateKeys = EXECUTION_STATES.map((state) => this.keys.taskIndexState(state));
    if (!(WRITE_COMMAND in redis)) redis.defineCommand(WRITE_COMMAND, { lua: WRITE_LUA });
    if (!(PAGE_COMMAND in redis)) redis.defineCommand(PAGE_COMMAND, { lua: PAGE_LUA });
  }

  /** Queues the index update of `records` (as they are being written) on `pipeline`: one script call. */
  addTo(pipeline: ChainableCommander, records: readonly TaskRecord[]): void {
    if (records.length === 0) return;
    const args: (string | number)[] = [
      this.keys.task(''),
      Date.now() - this.retention.maxAgeSec * 1000,
      this.retention.maxCount,
      Math.max(MIN_TRIM, 2 * records.length),
    ];
    for (const record of records) {
      const summary = summarizeTask(record);
      args.push(record.id, ms(record.updatedAt) ?? Date.now(), EXECUTION_STATES.indexOf(summary.state) + 1, encodeRow(summary));
    }
    const keys = [this.keys.taskIndex, this.keys.taskSummaries, ...this.stateKeys];
    void (pipeline as unknown as Record<string, ScriptCall>)[WRITE_COMMAND]!.call(pipeline, keys.length, ...keys, ...args);
  }

  /** Executions per state whose last change is within [since, until] (ms; null = open). */
  async counts(since: number | null, until: number | null): Promise<Record<ExecutionState, number>> {
    const pipeline = this.redis.pipeline();
    for (const key of this.stateKeys) {
      if (since === null && until === null) pipeline.zcard(key);
      else pipeline.zcount(key, since ?? '-inf', until ?? '+inf');
    }
    const replies = await execOrThrow(pipeline);
    const counts = {} as Record<ExecutionState, number>;
    EXECUTION_STATES.forEach((state, i) => {
      counts[state] = Number(replies[i]);
    });
    return counts;
  }

  /** How many executions the index holds. */
  size(): Promise<number> {
    return this.redis.zcard(this.keys.taskIndex);
  }

  /**
   * One page of rows matching `filter`, newest change first, starting after `cursor`
   * (null = from the newest, or from `until`). Fewer than `limit` rows with a non-null
   * `nextCursor` means the request's scan budget ran out first: the cursor continues it.
   */
  async list(filter: TaskFilter, limit: number, cursor: string | null): Promise<{ tasks: TaskSummary[]; nextCursor: string | null }> {
    const sets = !filter.states || filter.states.length === EXECUTION_STATES.length ? [this.keys.taskIndex] : filter.states.map((s) => this.keys.taskIndexState(s));
    let position: Position = cursor ? decodeCursor(cursor) : { score: filter.until, id: '' };
    const scanning = scans(filter);
    const tasks: TaskSummary[] = [];
    let examined = 0;
    let documents = 0;
    for (;;) {
      const want = scanning ? Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, limit * 4), SCAN_BUDGET - examined) : limit - tasks.length;
      const entries = await this.after(sets, position, filter.since, want);
      if (entries.length === 0) return { tasks, nextCursor: null };
      const rows = await this.redis.hmget(this.keys.taskSummaries, ...entries.map((e) => e.id));
      const summaries = rows.map((text, i) => (text ? decodeRow(entries[i]!.id, text) : null));
      let texts: Map<string, boolean> | null = null;
      if (filter.text) {
        const candidates = summaries.filter((s): s is TaskSummary => s !== null && matchesSummary(s, filter)).slice(0, TEXT_BUDGET - documents);
        documents += candidates.length;
        texts = await this.textMatches(candidates.map((s) => s.id), filter.text);
      }
      const atEnd = entries.length < want;
      for (let i = 0; i < entries.length; i++) {
        const summary = summaries[i];
        // Past the documents this request may read: stop before the first row not tested.
        if (texts && summary && matchesSummary(summary, filter) && !texts.has(summary.id)) return { tasks, nextCursor: encodeCursor(position as Entry) };
        examined += 1;
        position = entries[i]!;
        if (!summary || !matchesSummary(summary, filter) || (texts && !texts.get(summary.id))) continue;
        tasks.push(summary);
        if (tasks.length === limit) return { tasks, nextCursor: atEnd && i === entries.length - 1 ? null : encodeCursor(entries[i]!) };
      }
      if (atEnd) return { tasks, nextCursor: null };
      if (examined >= SCAN_BUDGET || (filter.text && documents >= TEXT_BUDGET)) return { tasks, nextCursor: encodeCursor(position as Entry) };
    }
  }

  /**
   * Rows of the given states newest change first, in chunks, for readers that aggregate
   * (the failures view): at most `budget` index entries, within [since, until].
   */
  async *rows(states: readonly ExecutionState[], since: number | null, until: number | null, budget: number): AsyncGenerator<TaskSummary[]> {
    const sets = states.map((s) => this.keys.taskIndexState(s));
    let position: Position = { score: until, id: '' };
    for (let read = 0; read < budget; ) {
      const want = Math.min(MAX_CHUNK, budget - read);
      const entries = await this.after(sets, position, since, want);
      if (entries.length === 0) return;
      read += entries.length;
      position = entries.at(-1)!;
      const texts = await this.redis.hmget(this.keys.taskSummaries, ...entries.map((e) => e.id));
      yield texts.flatMap((text, i) => {
        const row = text ? decodeRow(entries[i]!.id, text) : null;
        return row ? [row] : [];
      });
      if (entries.length < want) return;
    }
  }

  private async after(sets: string[], position: Position, since: number | null, count: number): Promise<Entry[]> {
    const page = (this.redis as unknown as Record<string, ScriptCall>)[PAGE_COMMAND]!;
    const flat = (await page.call(this.redis, sets.length, ...sets, position.score === null ? '' : position.score, position.id, since === null ? '' : since, count)) as string[];
    const entries: Entry[] = [];
    for (let i = 0; i < flat.length; i += 2) entries.push({ id: flat[i]!, score: Number(flat[i + 1]) });
    return entries;
  }

  /** id → whether its document contains `text`; ids whose document is gone map to false. */
  private async textMatches(ids: string[], text: string): Promise<Map<string, boolean>> {
    const out = new Map<string, boolean>();
    if (ids.length === 0) return out;
    const docs = await this.redis.mget(...ids.map((id) => this.keys.task(id)));
    ids.forEach((id, i) => {
      const raw = docs[i];
      let found = false;
      if (raw) {
        try {
          found = matchesText(JSON.parse(raw) as TaskRecord, text);
        } catch {
          found = false;
        }
      }
      out.set(id, found);
    });
    return out;
  }
}
