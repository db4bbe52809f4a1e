// An E2E suite against the sample service, in a real browser; the fixture puts each test under
// its own context (its title path).
import { test, expect } from '@pycov-harvest/playwright';

test.describe('items', () => {
  test('calls 2 even', async ({ page }) => {
    await page.goto('/items/2');
    await expect(page.locator('body')).toContainText('"kind":"even"');
  });

  test('calls 3 odd', async ({ page }) => {
    await page.goto('/items/3');
    await expect(page.locator('body')).toContainText('"kind":"odd"');
  });
});

test('divide refuses a zero divisor', async ({ request }) => {
  const answer = await request.get('/divide?a=1&b=0');
  expect(answer.status()).toBe(400);
});
