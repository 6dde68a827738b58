import { expect, test, verifyAuditChain } from '../fixtures';

test.describe('[PLATFORM] health and baseline headers', () => {
  test('GET /api/health reports the database and migrations without internals', async ({ request }) => {
    const res = await request.get('/api/health');
    expect(res.status()).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: 'ok', database: 'ok', migrations: 'up_to_date' });
    expect(body.policyVersion).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(body).sort()).toEqual(['database', 'migrations', 'policyVersion', 'status']);
    expect(res.headers()['cache-control']).toContain('no-store');
  });

  test('every response carries the baseline security headers and a correlation id', async ({ request }) => {
    for (const path of ['/sign-in', '/api/health', '/does-not-exist']) {
      const res = await request.get(path, { maxRedirects: 0 });
      const h = res.headers();
      expect(h['x-content-type-options'], path).toBe('nosniff');
      expect(h['x-frame-options'], path).toBe('DENY');
      expect(h['content-security-policy'], path).toContain("frame-ancestors 'none'");
      expect(h['referrer-policy'], path).toBe('same-origin');
      expect(h['x-powered-by'], path).toBeUndefined();
      expect(h['x-correlation-id'], path).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  test('a client cannot choose its correlation id or its peer address', async ({ request }) => {
    const res = await request.get('/api/health', {
      headers: { 'x-warden-correlation-id': 'attacker-chosen', 'x-warden-peer': '10.0.0.1' },
    });
    expect(res.headers()['x-correlation-id']).not.toBe('attacker-chosen');
  });

  test('the audit chain written by the whole suite verifies', async () => {
    const { code, output } = verifyAuditChain();
    expect(output).toContain('intact');
    expect(code).toBe(0);
  });
});
