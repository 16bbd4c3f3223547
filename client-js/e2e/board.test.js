import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launch, screenshots } from './browser.js';

const serverUrl = process.env.TANDEM_URL;
assert.ok(serverUrl, 'TANDEM_URL must point at a running Tandem server in dev mode');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function open(user, room) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => { throw error; });
  await page.goto(`${serverUrl}/demo/board.html?user=${user}&room=${room}`);
  await page.locator('[data-testid=status][data-status=open]').waitFor();
  return { context, page };
}

const card = (page, title) => page.locator('[data-testid=task]', { has: page.locator('.title', { hasText: title }) });

async function columnTitles(page, column) {
  return page.locator(`[data-column=${column}] [data-testid=task] .title`).allTextContents();
}

async function waitForColumn(page, column, expected) {
  await page.waitForFunction(([name, want]) => {
    const got = [...document.querySelectorAll(`[data-column=${name}] [data-testid=task] .title`)].map((e) => e.textContent);
    return JSON.stringify(got) === JSON.stringify(want);
  }, [column, expected], { timeout: 15000 }).catch(async () => {
    assert.deepEqual(await columnTitles(page, column), expected, `column ${column}`);
  });
}

async function rename(page, from, to) {
  await card(page, from).locator('.title').dblclick();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(to);
  await page.keyboard.press('Enter');
}

test('two browsers share a live task board: each other\'s tasks, moves, who is here and who looks at what; a conflict asks and rolls back', async (t) => {
  const room = `e2e${Date.now().toString(36)}`;
  const alice = await open('alice', room);
  const bob = await open('bob', room);

  for (const { page } of [alice, bob]) {
    await page.locator('[data-testid=people] [data-user=alice]').waitFor();
    await page.locator('[data-testid=people] [data-user=bob]').waitFor();
  }

  await alice.page.fill('[data-testid=new-task]', 'Write the spec');
  await alice.page.click('[data-testid=add-task]');
  await waitForColumn(bob.page, 'todo', ['Write the spec']);
  await bob.page.fill('[data-testid=new-task]', 'Review it');
  await bob.page.click('[data-testid=add-task]');
  await waitForColumn(alice.page, 'todo', ['Write the spec', 'Review it']);

  await card(bob.page, 'Write the spec').locator('button.move[data-to="1"]').click();
  await waitForColumn(alice.page, 'doing', ['Write the spec']);
  await waitForColumn(alice.page, 'todo', ['Review it']);

  await card(alice.page, 'Review it').locator('.title').focus();
  await card(bob.page, 'Review it').locator('.viewers [data-user=alice]').waitFor();
  await alice.page.locator('[data-testid=new-task]').focus();
  await card(bob.page, 'Review it').locator('.viewers [data-user=alice]').waitFor({ state: 'detached' });
  await bob.page.screenshot({ path: join(screenshots, 'board-bob.png') });

  // A conflict: alice renames offline while bob renames the same task online.
  await alice.context.setOffline(true);
  await alice.page.locator('[data-testid=status][data-status=offline]').waitFor();
  await rename(alice.page, 'Review it', 'Review it (alice)');
  await card(alice.page, 'Review it (alice)').and(alice.page.locator('.pending')).waitFor();
  await rename(bob.page, 'Review it', 'Review it (bob)');
  await waitForColumn(bob.page, 'todo', ['Review it (bob)']);
  await alice.context.setOffline(false);

  const dialog = alice.page.locator('[data-testid=conflict]');
  await dialog.waitFor({ state: 'visible', timeout: 20000 });
  assert.match(await alice.page.locator('[data-testid=conflict-mine]').textContent(), /Review it \(alice\)/);
  assert.match(await alice.page.locator('[data-testid=conflict-theirs]').textContent(), /Review it \(bob\)/);
  await alice.page.screenshot({ path: join(screenshots, 'board-conflict.png') });
  await alice.page.click('[data-testid=keep-theirs]');
  await waitForColumn(alice.page, 'todo', ['Review it (bob)']);
  assert.equal(await alice.page.locator('[data-testid=task].pending').count(), 0, 'nothing left pending');
  await waitForColumn(bob.page, 'todo', ['Review it (bob)']);

  // Deletes are live too.
  await card(alice.page, 'Write the spec').locator('button.remove').click();
  await waitForColumn(bob.page, 'doing', []);

  await alice.context.close();
  await bob.context.close();
});
