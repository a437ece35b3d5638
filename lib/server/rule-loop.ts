import { hostname } from 'node:os';
import { startRuleLoop, type RuleLoop } from '@/lib/control/rules/rule-loop';
import { getBroker, runtime } from './runtime';

const holder = globalThis as typeof globalThis & { __triageRuleLoop?: RuleLoop };

/** This server process's contender for the rule loop: every replica runs one, the lease lets one act. */
export function startServerRuleLoop(): RuleLoop {
  if (!holder.__triageRuleLoop) {
    const rt = runtime();
    holder.__triageRuleLoop = startRuleLoop({ state: rt.state, broker: getBroker, holderId: `${hostname()}:${process.pid}`, logger: rt.logger });
  }
  return holder.__triageRuleLoop;
}
