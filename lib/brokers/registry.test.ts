import { describe, expect, it } from 'vitest';
import { TriageConfigSchema } from '@/lib/config/schema';
import { BROKER_KINDS, BrokerConfigSchema, brokerDriver, brokerDrivers } from './registry';

/** The registry's one list of drivers is the only source of kinds: names, configuration and dispatch must agree. */
describe('broker registry', () => {
  it('lists each kind once, in driver order', () => {
    expect(BROKER_KINDS).toEqual(brokerDrivers.map((driver) => driver.kind));
    expect(new Set(BROKER_KINDS).size).toBe(BROKER_KINDS.length);
    expect(BROKER_KINDS).toEqual(expect.arrayContaining(['redis', 'rabbitmq']));
  });

  it.each(brokerDrivers.map((driver) => [driver.kind, driver] as const))('%s: its minimal config parses in the configuration and dispatches back to it', (kind, driver) => {
    const config = BrokerConfigSchema.parse({ id: 'b1', kind });
    expect(config).toEqual(driver.configSchema.parse({ id: 'b1', kind }));
    expect(config).toMatchObject({ id: 'b1', kind, resultBackendUrl: null });
    expect(brokerDriver(config.kind)).toBe(driver);
    expect(TriageConfigSchema.parse({ brokers: [{ id: 'b1', kind }] }).brokers[0]).toEqual(config);
    // The driver's own schema refuses another kind's config.
    const other = BROKER_KINDS.find((k) => k !== kind)!;
    expect(driver.configSchema.safeParse({ id: 'b1', kind: other }).success).toBe(false);
  });

  it.each(brokerDrivers.map((driver) => [driver.kind, driver] as const))('%s: lane groups only where the capability says so', (kind, driver) => {
    const config = BrokerConfigSchema.parse({ id: 'b1', kind });
    expect(driver.laneGroups(config)).toEqual({});
    if (!driver.capabilities.laneGroups) return;
    const grouped = BrokerConfigSchema.parse({
      id: 'b1',
      kind,
      laneGroups: [{ name: 'g', lanes: [{ queue: 'hi', priorities: [0, 4] }, { queue: 'lo', priorities: [5, 9] }] }],
    });
    expect(driver.laneGroups(grouped)).toEqual({ g: ['hi', 'lo'] });
  });

  it('refuses a config of an unknown kind, naming the known ones', () => {
    const known = BROKER_KINDS.join(', ');
    const result = TriageConfigSchema.safeParse({ brokers: [{ id: 'b1', kind: 'sqs' }] });
    expect(result.success).toBe(false);
    expect(result.error!.issues).toEqual([
      expect.objectContaining({ path: ['brokers', 0, 'kind'], message: `kind must be one of ${known} (not "sqs")` }),
    ]);
    const missing = TriageConfigSchema.safeParse({ brokers: [{ id: 'b1' }] });
    expect(missing.error!.issues[0]!.message).toBe(`kind must be one of ${known}`);
    expect(() => brokerDriver('sqs')).toThrow(`unknown broker kind "sqs"; known kinds: ${known}`);
  });

  it('keeps each kind\'s own validation (a field of another kind is refused)', () => {
    expect(BrokerConfigSchema.safeParse({ id: 'b1', kind: 'redis', managementUrl: 'http://x' }).success).toBe(false);
    expect(BrokerConfigSchema.safeParse({ id: 'b1', kind: 'rabbitmq', steps: [0, 9] }).success).toBe(false);
  });
});
