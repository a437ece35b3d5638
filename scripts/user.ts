/**
 * `npm run user -- <command>`: users in Triage's state Redis (the server sees changes at once).
 *
 *   add <name> [--role viewer|operator|admin] [--password-stdin]   (role defaults to viewer)
 *   passwd <name> [--password-stdin]                                (ends the user's sessions)
 *   role <name> --role <role>
 *   remove <name>
 *   list
 *   hash [--password-stdin]       prints a passwordHash for the config file's "users"
 *
 * The password comes from stdin with --password-stdin, else from TRIAGE_USER_PASSWORD; `add`
 * without either generates one and prints it. Never on the command line: that leaks into
 * shell history and `ps`.
 */
import { hashPassword, randomPassword, validatePasswordStrength } from '@/lib/server/auth-password';
import { createUser, listUsers, removeUser, updateUser } from '@/lib/server/users';
import { fail, parseCli, readStdin, runCli, withStore } from './cli-auth';

const USAGE = 'usage: npm run user -- add|passwd|role|remove|list|hash [<name>] [--role viewer|operator|admin] [--password-stdin]';

async function password(fromStdin: boolean, generateIfMissing: boolean): Promise<{ value: string; generated: boolean }> {
  if (fromStdin) return { value: await readStdin(), generated: false };
  const env = process.env.TRIAGE_USER_PASSWORD;
  if (env) return { value: env, generated: false };
  if (generateIfMissing) return { value: randomPassword(), generated: true };
  return fail('give the password on stdin with --password-stdin, or in TRIAGE_USER_PASSWORD');
}

runCli(async () => {
  const args = parseCli(process.argv.slice(2));
  const needName = () => args.name ?? fail(USAGE);
  switch (args.command) {
    case 'add': {
      const name = needName();
      const pw = await password(args.passwordStdin, true);
      const user = await withStore((store) => createUser(store, { name, role: args.role ?? 'viewer', password: pw.value }));
      process.stdout.write(`added user ${user.name} (${user.role})\n`);
      if (pw.generated) process.stdout.write(`password: ${pw.value}\n`);
      return;
    }
    case 'passwd': {
      const name = needName();
      const pw = await password(args.passwordStdin, false);
      await withStore((store) => updateUser(store, name, { password: pw.value }));
      process.stdout.write(`password of ${name} changed; their sessions have ended\n`);
      return;
    }
    case 'role': {
      const name = needName();
      const role = args.role ?? fail('give --role viewer|operator|admin');
      await withStore((store) => updateUser(store, name, { role }));
      process.stdout.write(`${name} is now ${role}\n`);
      return;
    }
    case 'remove': {
      const name = needName();
      const removed = await withStore((store) => removeUser(store, name));
      if (!removed) fail(`no user ${name}`);
      process.stdout.write(`removed user ${name}\n`);
      return;
    }
    case 'list': {
      const users = await withStore((store) => listUsers(store));
      for (const u of users) process.stdout.write(`${u.name}\t${u.role}\t${u.source}\t${u.createdAt ?? '-'}\n`);
      return;
    }
    case 'hash': {
      const pw = await password(args.passwordStdin, false);
      const problem = validatePasswordStrength(pw.value);
      if (problem) fail(problem);
      process.stdout.write(`${await hashPassword(pw.value)}\n`);
      return;
    }
    default:
      fail(USAGE);
  }
});
