import type { BrokerCapabilities } from '../types';

/** Classic queues with x-max-priority; counts and rates from the management API's statistics (refreshed every ~5 s). */
export const RABBIT_CAPABILITIES: BrokerCapabilities = {
  nativePriority: true,
  nonDestructiveBrowse: false,
  perPriorityDepth: true,
  liveDepth: false,
  consumerCount: true,
  brokerRates: true,
  standingRules: false,
  laneGroups: false,
};
