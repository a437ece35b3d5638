/**
 * Where a Redis client connects: a plain `redis://` URL, or kombu's Sentinel form
 * `sentinel://[user:password@]host:port[/db];sentinel://host2:port2…` with the master's name
 * as `?master_name=` (kombu's `master_name` transport option; `withMasterName` adds it from a
 * config file). The URL stays the one string passed around; clients are made from it by
 * `newRedis` (connection.ts).
 */

export interface SentinelTarget {
  sentinels: { host: string; port: number }[];
  /** The master group the sentinels monitor. */
  name: string;
  db: number;
  username?: string;
  /** The master's (and replicas') password, as in kombu's URL. */
  password?: string;
  sentinelPassword?: string;
}

const SENTINEL_PORT = 26379;

export function isSentinelUrl(url: string): boolean {
  return url.trimStart().toLowerCase().startsWith('sentinel://');
}

function parts(url: string): URL[] {
  return url
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      try {
        // WHATWG URL does not parse ports of unknown schemes strictly: read it as redis://.
        return new URL(part.replace(/^sentinel:/i, 'redis:'));
      } catch {
        throw new Error(`cannot read the sentinel address ${JSON.stringify(redactPart(part))}`);
      }
    });
}

/** The Sentinel target of a `sentinel://` URL; null for any other URL. */
export function parseSentinelUrl(url: string): SentinelTarget | null {
  if (!isSentinelUrl(url)) return null;
  const urls = parts(url);
  const sentinels = urls.map((u) => {
    const port = u.port === '' ? SENTINEL_PORT : Number(u.port);
    if (!Number.isInteger(port) || port <= 0) throw new Error(`sentinel ${u.hostname} has no valid port`);
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port };
  });
  const name = urls.map((u) => u.searchParams.get('master_name')).find(Boolean);
  if (!name) throw new Error('a sentinel:// URL needs the master group name: add ?master_name=<name> (kombu: the master_name transport option)');
  const withAuth = urls.find((u) => u.password || u.username);
  const withDb = urls.find((u) => u.pathname.length > 1);
  const sentinelPassword = urls.map((u) => u.searchParams.get('sentinel_password')).find(Boolean);
  return {
    sentinels,
    name,
    db: withDb ? databaseOfPath(withDb.pathname) : 0,
    ...(withAuth?.username ? { username: decodeURIComponent(withAuth.username) } : {}),
    ...(withAuth?.password ? { password: decodeURIComponent(withAuth.password) } : {}),
    ...(sentinelPassword ? { sentinelPassword } : {}),
  };
}

/** `url` with kombu's `master_name` transport option folded in (sentinel URLs only; one given in the URL wins). */
export function withMasterName(url: string, masterName: string | undefined): string {
  if (!masterName || !isSentinelUrl(url) || /[?&]master_name=/.test(url)) return url;
  return `${url}${url.includes('?') ? '&' : '?'}master_name=${encodeURIComponent(masterName)}`;
}

function databaseOfPath(pathname: string): number {
  const db = Number.parseInt(pathname.replace('/', '') || '0', 10);
  return Number.isNaN(db) ? 0 : db;
}

/** The database number a URL selects (0 when it names none). */
export function redisDatabase(url: string): number {
  if (isSentinelUrl(url)) return parseSentinelUrl(url)!.db;
  try {
    return databaseOfPath(new URL(url).pathname);
  } catch {
    return 0;
  }
}

function redactPart(part: string): string {
  return part.replace(/\/\/([^@/]*):[^@/]*@/, '//$1:***@').replace(/(sentinel_password=)[^&;]*/g, '$1***');
}

/** The URL for logs and error messages: every password replaced by `***`. */
export function redactRedisUrl(url: string): string {
  return url.split(';').map(redactPart).join(';');
}
