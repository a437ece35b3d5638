import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * ioredis resolves `exec()` with `[error, reply]` pairs instead of rejecting, so a reply used
 * without looking at its error reads a WRONGTYPE as "nothing there". Every `.exec()` under
 * lib/ goes through `execOrThrow`, except the few listed here, which check each pair themselves.
 */
const CHECKS_ITS_OWN_REPLIES: Record<string, number> = {
  // execOrThrow itself.
  'lib/redis/multi.ts': 1,
  // listFor: throws the first metaError/countError.
  'lib/state/archive.ts': 1,
  // record and readMany: throw on the first error pair.
  'lib/state/history.ts': 2,
  // Fire and forget: `answered` warns on any error pair and skips the merge of a failed write.
  'lib/worker/recorder.ts': 1,
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

describe('MULTI and pipeline replies', () => {
  it('every .exec() under lib/ is checked by execOrThrow or is on the list of callers that check each reply', () => {
    const root = process.cwd();
    const found: Record<string, number> = {};
    for (const file of sources(path.join(root, 'lib'))) {
      // `execOrThrow(chain)` never spells `.exec(`; any other call does.
      const count = (readFileSync(file, 'utf8').match(/\.exec\(\s*\)/g) ?? []).length;
      if (count > 0) found[path.relative(root, file).split(path.sep).join('/')] = count;
    }
    expect(found).toEqual(CHECKS_ITS_OWN_REPLIES);
  });
});
