import { expect, test } from '@playwright/test';
import { createUser, deleteUser, guardConsole, logIn } from './helpers';

/**
 * Journey: an viewer leaves the overview open; an admin deletes their account. The server
 * closes the live stream once the credential is gone, and the open page must not sit there
 * "unavailable" with frozen numbers: it goes to the login page, remembering where it was.
 */

test('a page whose session ends elsewhere goes to the login page', async ({ page, request }) => {
  const guard = guardConsole(page);
  // After the deletion the stream's reopen and the session check are refused on purpose.
  guard.allow(/\/api\/v1\//, 401);
  const user = await createUser(request, 'viewer');
  await logIn(page, user, '/');
  await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-state', 'live');

  await deleteUser(request, user);

  // The stream re-checks its credential every 10 s; the reopen is refused, then the page leaves.
  await expect(page).toHaveURL(/\/login\?next=%2F$/, { timeout: 45_000 });
  await expect(page.getByRole('heading', { name: 'Log in to Triage' })).toBeVisible();
  guard.assertClean();
});
