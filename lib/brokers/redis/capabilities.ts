import type { BrokerCapabilities } from '../types';

/** kombu's layout on Redis: one list per priority step, read directly (no statistics, no consumer registry). */
export const REDIS_CAPABILITIES: BrokerCapabilities = {
  nativePriority: false,
  nonDestructiveBrowse: true,
  perPriorityDepth: true,
  liveDepth: true,
  consumerCount: false,
  brokerRates: false,
  standingRules: true,
  laneGroups: true,
};
