import { describe, expect, it } from 'vitest';
import { jsonResponse } from './json-response';

describe('jsonResponse', () => {
  it('marks a small body no-transform, keeping status and other cache directives', async () => {
    const response = jsonResponse({ ids: ['a'] }, { status: 201, headers: { 'cache-control': 'no-store' } });
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store, no-transform');
    expect(await response.json()).toEqual({ ids: ['a'] });
  });

  it('leaves a large body to compression', async () => {
    const big = { items: Array.from({ length: 200 }, (_, i) => `queue-${i}`) };
    const response = jsonResponse(big);
    expect(response.headers.get('cache-control')).toBeNull();
    expect(await response.json()).toEqual(big);
  });
});
