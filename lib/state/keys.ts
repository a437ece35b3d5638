/**
 * Every Redis key of Triage's own state (not queues) is named here, under one configurable
 * prefix (`triage:` by default), so the Redis adapter's discovery can skip them all.
 */
export function stateKeys(prefix: string) {
  return {
    /** Hash `<broker>/<queue>` → JSON {at, by}: queues Triage workers must not take from. */
    paused: `${prefix}paused`,
    /**
     * Set of `<member queue>\t<hostname>`: the real Celery workers that were consuming a paused
     * queue, the only ones its resume sends add_consumer to. Deleted with the pause.
     */
    pausedCeleryConsumers: (broker: string, queue: string) => `${prefix}paused-celery:${broker}/${queue}`,
    /** Pub/sub channel: a nudge whenever pause state changes, so workers react within 1 s. */
    controlChannel: `${prefix}control`,
    /** Sorted set task id → expiry (ms): revoked tasks Triage's workers must not run (lib/state/revokes.ts). */
    revoked: `${prefix}revoked`,
    /** Sorted set `<task id>\t<signal>` → expiry (ms): revokes that also terminate the task if it runs. */
    revokedTerminate: `${prefix}revoked:terminate`,
    /** Pub/sub channel: new revokes, so a worker stops a running task at once. */
    revokeChannel: `${prefix}revokes`,
    /** Hash workerId → JSON worker record (heartbeat included). */
    workers: `${prefix}workers`,
    /** Pub/sub channel a Triage worker takes remote-control commands on (worker-mailbox.ts). */
    workerMailbox: (workerId: string) => `${prefix}worker-control:${workerId}`,
    /** List one remote-control command's reply is pushed to, expiring soon after. */
    workerReply: (ticket: string) => `${prefix}worker-control-reply:${ticket}`,
    /** Capped stream of task and worker events. */
    events: `${prefix}events`,
    /** JSON per task id, with a TTL. */
    task: (id: string) => `${prefix}task:${id}`,
    /** The task explorer's index (lib/state/task-index.ts): sorted set id → last change (ms). */
    taskIndex: `${prefix}tasks:index`,
    /** Hash id → the explorer's row of that task, encoded compactly. */
    taskSummaries: `${prefix}tasks:summary`,
    /** Per explorer state, a sorted set id → last change (ms): each indexed id is in exactly one. */
    taskIndexState: (state: string) => `${prefix}tasks:state:${state}`,
    /** Capped stream of audit entries. */
    audit: `${prefix}audit`,
    /** Capped stream of failed operations, failed logins and refused requests (403), apart from the audit log. */
    securityLog: `${prefix}security`,
    /** Hash kind → number of security events ever recorded (not capped): the /metrics counter. */
    securityCounts: `${prefix}security:counts`,
    /** Archived purged messages, restorable for 24 h. */
    archive: (id: string) => `${prefix}archive:${id}`,
    archiveMeta: (id: string) => `${prefix}archive:${id}:meta`,
    /** Sorted set of one queue's archive ids, scored by expiry (ms), so its page can list them. */
    queueArchives: (broker: string, queue: string) => `${prefix}archives:${broker}/${queue}`,
    /**
     * What one control operation moved, so it can be undone (lib/state/undo-records.ts), kept
     * as long as archives: JSON meta, a list of JSON batches of [id, priority, level], the
     * undo's own lock and, once undone, JSON {at, by, restored}.
     */
    undoMeta: (operationId: string) => `${prefix}undo:${operationId}:meta`,
    undoItems: (operationId: string) => `${prefix}undo:${operationId}:items`,
    undoLock: (operationId: string) => `${prefix}undo:${operationId}:lock`,
    undoDone: (operationId: string) => `${prefix}undo:${operationId}:done`,
    /** Backlog history samples. */
    history: (broker: string, queue: string) => `${prefix}history:${broker}/${queue}`,
    /** Which replica writes the history sample of interval `slot` (no "/", so no clash with `history`). */
    historyLock: (slot: number) => `${prefix}history:lock:${slot}`,
    /** Hash `<queue>\n<priority>\n<bucket>` → count: task waits that started in one minute (lib/state/wait-times.ts). */
    waitMinute: (broker: string, minute: number) => `${prefix}waits:${broker}:${minute}`,
    /** Hash, same fields plus `<queue>\n<priority>\nsum`: every wait since the key was made (the /metrics histogram). */
    waitTotals: (broker: string) => `${prefix}waits-total:${broker}`,
    /** Operation progress records. */
    operation: (id: string) => `${prefix}op:${id}`,
    /** A loop that runs once per deployment (lib/state/leader-lease.ts): string holder id with a ttl. */
    leaderLease: (loop: string) => `${prefix}leader:${loop}`,
    /** Alerts (lib/alerts/store.ts). Hash condition key → id of its active alert: one alert per key while it lasts. */
    alertsActive: `${prefix}alerts:active`,
    /** Sorted set alert id → resolve time (ms): resolved alerts, newest kept. */
    alertsRecent: `${prefix}alerts:recent`,
    /** JSON of one alert (without deliveries). */
    alert: (id: string) => `${prefix}alerts:alert:${id}`,
    /** List of the alert's delivery ids, in the order they were queued. */
    alertDeliveries: (id: string) => `${prefix}alerts:alert:${id}:deliveries`,
    /** JSON of one webhook delivery: the body to send, where, attempts, status. */
    alertDelivery: (id: string) => `${prefix}alerts:delivery:${id}`,
    /** Sorted set delivery id → when its next attempt is due (ms): the outbox a restart resumes. */
    alertOutbox: `${prefix}alerts:outbox`,
    /** JSON {webhooks: [{url, format, secret?}]}: where notifications go (secrets included, never served). */
    alertsConfig: `${prefix}alerts:config`,
    /** JSON {slos, updatedAt, by}: the SLOs admins edited (the config file's are not stored). */
    slos: `${prefix}slos`,
    /** Hash `<slo id>\n<broker>/<queue>` → JSON SloStateRecord: every replica and tab reads the same states. */
    sloStates: `${prefix}slo:states`,
    /** Capped stream of SLO state changes (lib/state/slo-store.ts), for alerting in any process. */
    sloTransitions: `${prefix}slo:transitions`,
    /** Standing rules (lib/state/rules.ts): hash id → JSON definition. */
    rules: `${prefix}rules`,
    /** Hashes id → messages a rule acted on, and → when it last did (ms). */
    ruleApplied: `${prefix}rules:applied`,
    ruleLastApplied: `${prefix}rules:last-applied`,
    /** Hash id → when the rule loop audited its end (expiry), so it is audited once. */
    ruleEnded: `${prefix}rules:ended`,
    /** Hash id → the archive a delete rule keeps its messages in. */
    ruleArchives: `${prefix}rules:archives`,
    /** Hash id → the queue's arrival cursor when the rule was made: where a queue without a cursor starts. */
    ruleStarts: `${prefix}rules:starts`,
    /** Hash `<broker>/<queue>` → the broker's arrival cursor there (opaque to Triage). */
    ruleCursors: `${prefix}rules:cursors`,
    /** Held while a control operation changes a queue, so two cannot interleave on it. */
    queueLock: (broker: string, queue: string) => `${prefix}oplock:${broker}/${queue}`,
    /** Hash user name → JSON {role, passwordHash, createdAt, version, epoch} (users made by the CLI/API). */
    users: `${prefix}users`,
    /** Hash token name → JSON {role, sha256, createdAt}; the secret itself is never stored. */
    tokens: `${prefix}tokens`,
    /** Hash sha256(token secret) → token name: O(1) lookup of a bearer token. */
    tokenHashes: `${prefix}tokens:by-hash`,
    /** Hash token name → ISO time of its last use. */
    tokenLastUsed: `${prefix}tokens:last-used`,
    /** JSON {user, csrf, createdAt, epoch} per session id, expiring after the idle timeout. */
    session: (id: string) => `${prefix}session:${id}`,
    /** Login-attempt counters (lib/server/throttle.ts), expiring with the throttling window. */
    loginFailuresUser: (name: string) => `${prefix}throttle:login:user:${name}`,
    loginFailuresIp: (ip: string) => `${prefix}throttle:login:ip:${ip}`,
    /** Per user name and address; an address has no spaces, so the pair is unambiguous. */
    loginFailuresPair: (name: string, ip: string) => `${prefix}throttle:login:pair:${ip} ${name}`,
    /** Searches (lib/server/search-limit.ts) per caller: the one running (expiring, in case its process dies) and those started this minute. */
    searchRunning: (caller: string) => `${prefix}throttle:search:running:${caller}`,
    searchCount: (caller: string) => `${prefix}throttle:search:count:${caller}`,
    /** Set while a refused (429) login of this pair is in the security log: later ones are only counted. */
    loginThrottleLogged: (name: string, ip: string) => `${prefix}throttle:login:logged:${ip} ${name}`,
  };
}

export type StateKeys = ReturnType<typeof stateKeys>;

export function queueRef(broker: string, queue: string): string {
  return `${broker}/${queue}`;
}
