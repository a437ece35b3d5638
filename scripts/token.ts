/**
 * `npm run token -- <command>`: API tokens in Triage's state Redis.
 *
 *   create <name> [--role viewer|operator|admin]   prints the secret once (role defaults to viewer)
 *   revoke <name>
 *   list
 *   generate                  prints a new secret and its sha256 for the config file's "tokens"
 */
import { randomBytes } from 'node:crypto';
import { TOKEN_PREFIX, createToken, listTokens, revokeToken, sha256Hex } from '@/lib/server/tokens';
import { fail, parseCli, runCli, withStore } from './cli-auth';

const USAGE = 'usage: npm run token -- create|revoke|list|generate [<name>] [--role viewer|operator|admin]';

runCli(async () => {
  const args = parseCli(process.argv.slice(2));
  const needName = () => args.name ?? fail(USAGE);
  switch (args.command) {
    case 'create': {
      const name = needName();
      const made = await withStore((store) => createToken(store, { name, role: args.role ?? 'viewer' }));
      process.stderr.write(`created token ${made.name} (${made.role}); the secret is shown only now:\n`);
      process.stdout.write(`${made.token}\n`);
      return;
    }
    case 'revoke': {
      const name = needName();
      if (!(await withStore((store) => revokeToken(store, name)))) fail(`no token named ${name}`);
      process.stdout.write(`revoked token ${name}\n`);
      return;
    }
    case 'list': {
      const tokens = await withStore((store) => listTokens(store));
      for (const t of tokens) process.stdout.write(`${t.name}\t${t.role}\t${t.source}\tcreated ${t.createdAt ?? '-'}\tlast used ${t.lastUsedAt ?? 'never'}\n`);
      return;
    }
    case 'generate': {
      const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
      process.stdout.write(`token:  ${token}\nsha256: ${sha256Hex(token)}\n`);
      return;
    }
    default:
      fail(USAGE);
  }
});
