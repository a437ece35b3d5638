import { createRule, listRules } from '@/lib/control/rules/rules';
import { NewRuleSchema } from '@/lib/shared/rules';
import { control, jsonResponse, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = route({ role: 'viewer' }, async () => listRules(control(null)));

/** 201 `{rule}`; a dry run answers 200 `{matchingNow, matchingPerMin}` and stores nothing. */
export const POST = route({ role: 'operator', body: NewRuleSchema }, async ({ body, actor }) => {
  const made = await createRule(control(actor), body);
  return 'rule' in made ? jsonResponse(made, { status: 201 }) : made;
});
