import { describe, expect, it } from 'vitest';
import { parseSentinelUrl, redactRedisUrl, redisDatabase, withMasterName } from './target';

describe('Redis targets', () => {
  it("reads kombu's sentinel URL form: several sentinels, credentials and db from the first that has them", () => {
    const target = parseSentinelUrl('sentinel://:s3cret@10.0.0.1:26379/2;sentinel://10.0.0.2:26380;sentinel://host3?master_name=mymaster');
    expect(target).toEqual({
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
        { host: 'host3', port: 26379 },
      ],
      name: 'mymaster',
      db: 2,
      password: 's3cret',
    });
  });

  it('takes a sentinel password and a user name', () => {
    expect(parseSentinelUrl('sentinel://app:pw@h:1?master_name=m&sentinel_password=sp')).toMatchObject({ username: 'app', password: 'pw', sentinelPassword: 'sp' });
  });

  it('is null for a plain redis URL and refuses a sentinel URL without a master name', () => {
    expect(parseSentinelUrl('redis://127.0.0.1:6379/0')).toBeNull();
    expect(() => parseSentinelUrl('sentinel://h:26379;sentinel://h:26380')).toThrow(/master_name/);
    expect(() => parseSentinelUrl('sentinel://h:notaport?master_name=m')).toThrow(/port/);
  });

  it("adds kombu's master_name transport option to a sentinel URL, and leaves other URLs alone", () => {
    expect(parseSentinelUrl(withMasterName('sentinel://a:1;sentinel://b:2', 'cluster1'))!.name).toBe('cluster1');
    expect(withMasterName('redis://h:6379/0', 'x')).toBe('redis://h:6379/0');
    expect(withMasterName('sentinel://a:1?master_name=keep', undefined)).toBe('sentinel://a:1?master_name=keep');
  });

  it('knows the database of either form', () => {
    expect(redisDatabase('redis://h:6379/3')).toBe(3);
    expect(redisDatabase('redis://h:6379')).toBe(0);
    expect(redisDatabase('sentinel://h:1/5;sentinel://h:2?master_name=m')).toBe(5);
  });

  it('redacts every password, sentinel ones included', () => {
    expect(redactRedisUrl('redis://:pw@h:6379/0')).toBe('redis://:***@h:6379/0');
    const redacted = redactRedisUrl('sentinel://:pw@a:1;sentinel://u:pw2@b:2?master_name=m&sentinel_password=sp');
    expect(redacted).not.toMatch(/pw|sp(?!.)/);
    expect(redacted).toContain('a:1');
    expect(redacted).toContain('master_name=m');
  });
});
