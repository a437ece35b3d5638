import { expect, test } from '@playwright/test';
import { createUser, deleteUser, guardConsole, logIn, type TestUser } from './helpers';

/**
 * Journey: someone opens a link to a queue without a session, is sent to the login page,
 * gets a wrong password explained next to the field, logs in, lands where the link pointed,
 * sees who they are, and logs out.
 */

let user: TestUser;

test.beforeAll(async ({ request }) => {
  user = await createUser(request, 'operator');
});

test.afterAll(async ({ request }) => {
  await deleteUser(request, user);
});

test('log in, land where the link pointed, log out', async ({ page }) => {
  const guard = guardConsole(page);
  // The wrong password below is answered 401 on purpose.
  guard.allow(/\/api\/v1\/auth\/login$/, 401);
  const target = '/queues/redis/celery';

  await test.step('a page without a session redirects to /login and remembers where to go', async () => {
    await page.goto(target);
    await expect(page).toHaveURL(/\/login\?next=%2Fqueues%2Fredis%2Fcelery$/);
    await expect(page.getByRole('heading', { name: 'Log in to Triage' })).toBeVisible();
  });

  await test.step('empty fields and a wrong password are explained next to the fields', async () => {
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.locator('#username-error')).toHaveText('Enter your user name');
    await expect(page.locator('#password-error')).toHaveText('Enter your password');
    await page.getByLabel('User name').fill(user.name);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.locator('#password-error')).toHaveText('Wrong user name or password');
    await expect(page.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
    await page.screenshot({ path: 'e2e/screenshots/login-error.png', fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: 'e2e/screenshots/login-error-dark.png', fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  await test.step('the right password lands on the linked page with the user in the header', async () => {
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page).toHaveURL(target);
    await expect(page.getByTestId('user-name')).toHaveText(user.name);
    await expect(page.getByTestId('user-role')).toHaveText('operator');
    await expect(page.getByRole('heading', { name: /celery/ })).toBeVisible();
    await page.screenshot({ path: 'e2e/screenshots/login-done.png', fullPage: true });
  });

  await test.step('pages carry the security headers', async () => {
    const response = await page.request.get('/');
    const headers = response.headers();
    expect(headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    expect(headers['content-security-policy']).not.toContain('unsafe-eval');
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('same-origin');
    const api = await page.request.get('/api/v1/health');
    expect(api.headers()['x-content-type-options']).toBe('nosniff');
    expect(api.headers()['content-security-policy']).toContain("default-src 'none'");
  });

  await test.step('log out ends the session', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page).toHaveURL(/\/login/);
    expect((await page.request.get('/api/v1/auth/me')).status()).toBe(401);
    await page.goto('/');
    await expect(page).toHaveURL(/\/login\?next=%2F$/);
  });

  await test.step('logging in again from the login page goes to the overview', async () => {
    await logIn(page, user);
    await expect(page).toHaveURL(/\/$/);
  });
  guard.assertClean();
});
