import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launch, screenshots } from './browser.js';

const serverUrl = process.env.TANDEM_URL;
assert.ok(serverUrl, 'TANDEM_URL must point at a running Tandem server in dev mode');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function open(user, room, query = '') {
  const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => { throw error; });
  await page.goto(`${serverUrl}/?user=${user}&room=${room}${query}`);
  await page.locator('[data-testid=status][data-status=open]').waitFor();
  return { context, page };
}

async function send(page, text) {
  await page.fill('[data-testid=composer]', text);
  await page.click('[data-testid=send]');
}

function texts(page) {
  return page.locator('[data-testid=message][data-seq] .text').allTextContents();
}

async function waitForTexts(page, expected) {
  await page.waitForFunction((want) => {
    const got = [...document.querySelectorAll('[data-testid=message][data-seq] .text')].map((e) => e.textContent);
    return JSON.stringify(got) === JSON.stringify(want);
  }, expected, { timeout: 15000 }).catch(async () => {
    assert.deepEqual(await texts(page), expected);
  });
}

test('two browsers see each other\'s messages live, and one that was offline catches up on everything it missed', async () => {
  const room = `e2e-${Date.now().toString(36)}`;
  const alice = await open('alice', room);
  const bob = await open('bob', room);

  await send(alice.page, 'hello from alice');
  await waitForTexts(bob.page, ['hello from alice']);
  await send(bob.page, 'hi alice, bob here');
  await waitForTexts(alice.page, ['hello from alice', 'hi alice, bob here']);

  await bob.context.setOffline(true);
  await bob.page.locator('[data-testid=status][data-status=offline]').waitFor();
  const missed = ['while bob is away 1', 'while bob is away 2', 'while bob is away 3'];
  for (const text of missed) await send(alice.page, text);
  await waitForTexts(alice.page, ['hello from alice', 'hi alice, bob here', ...missed]);
  await bob.page.waitForTimeout(300);
  assert.deepEqual(await texts(bob.page), ['hello from alice', 'hi alice, bob here'], 'bob really was cut off');
  await bob.page.screenshot({ path: join(screenshots, 'bob-offline.png') });

  await bob.context.setOffline(false);
  await bob.page.locator('[data-testid=status][data-status=open]').waitFor();
  await waitForTexts(bob.page, ['hello from alice', 'hi alice, bob here', ...missed]);
  await send(bob.page, 'back and caught up');
  await waitForTexts(alice.page, ['hello from alice', 'hi alice, bob here', ...missed, 'back and caught up']);
  await alice.page.screenshot({ path: join(screenshots, 'alice.png') });
  await bob.page.screenshot({ path: join(screenshots, 'bob-back.png') });

  await alice.context.close();
  await bob.context.close();
});

test('both people in a room are shown as present; typing shows for the others and goes away when the message arrives', async () => {
  const room = `e2e-${Date.now().toString(36)}-typing`;
  const alice = await open('alice', room);
  const bob = await open('bob', room);
  for (const { page } of [alice, bob]) { // presence: both are shown as here
    await page.locator('[data-testid=people] [data-user=alice]').waitFor();
    await page.locator('[data-testid=people] [data-user=bob]').waitFor();
  }
  await bob.page.fill('[data-testid=composer]', 'let me think');
  await alice.page.locator('[data-testid=typing]', { hasText: 'bob is typing…' }).waitFor();
  await alice.page.screenshot({ path: join(screenshots, 'alice-sees-typing.png') });
  await bob.page.click('[data-testid=send]');
  await waitForTexts(alice.page, ['let me think']);
  await alice.page.waitForFunction(() => document.querySelector('[data-testid=typing]').textContent === '', null, { timeout: 10000 })
    .catch(() => {});
  assert.equal(await alice.page.locator('[data-testid=typing]').textContent(), '');
  assert.equal(await bob.page.locator('[data-testid=typing]').textContent(), '', 'nobody else typing for bob');
  await alice.context.close();
  await bob.context.close();
});

test('messages that arrive while the page is hidden count as unread; reading them shows "Read by" to the author', async () => {
  const room = `e2e-${Date.now().toString(36)}-receipts`;
  const alice = await open('alice', room);
  const bob = await open('bob', room);
  const setVisibility = (page, state) => page.evaluate((value) => {
    Object.defineProperty(document, 'visibilityState', { value, configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);

  await send(alice.page, 'are you there?');
  await waitForTexts(bob.page, ['are you there?']);
  await alice.page.locator('[data-testid=readby]', { hasText: 'Read by bob' }).waitFor();

  await setVisibility(bob.page, 'hidden'); // bob switched to another tab
  await send(alice.page, 'hello?');
  await send(alice.page, 'bob?');
  await waitForTexts(bob.page, ['are you there?', 'hello?', 'bob?']);
  await bob.page.locator('[data-testid=unread]:visible', { hasText: '2' }).waitFor();
  assert.equal(await bob.page.title(), '(2) Tandem demo');
  assert.equal(await alice.page.locator('[data-testid=message]', { hasText: 'bob?' }).locator('[data-testid=readby]').count(), 0,
    'not read yet');
  await bob.page.screenshot({ path: join(screenshots, 'bob-unread.png') });

  await setVisibility(bob.page, 'visible');
  await bob.page.locator('[data-testid=unread]').waitFor({ state: 'hidden' });
  await alice.page.locator('[data-testid=message]', { hasText: 'bob?' }).locator('[data-testid=readby]', { hasText: 'Read by bob' })
    .waitFor({ timeout: 10000 });
  await alice.page.screenshot({ path: join(screenshots, 'alice-read-by.png') });
  await alice.context.close();
  await bob.context.close();
});

test('a message written while offline is queued, shown as pending, and delivered on reconnect', async () => {
  const room = `e2e-${Date.now().toString(36)}-queue`;
  const alice = await open('alice', room);
  const bob = await open('bob', room);

  await bob.context.setOffline(true);
  await bob.page.locator('[data-testid=status][data-status=offline]').waitFor();
  await send(bob.page, 'written on the train');
  await bob.page.locator('[data-testid=message].pending').waitFor();
  await bob.context.setOffline(false);
  await waitForTexts(alice.page, ['written on the train']);
  await waitForTexts(bob.page, ['written on the train']);
  assert.equal(await bob.page.locator('[data-testid=message].pending').count(), 0);

  await alice.context.close();
  await bob.context.close();
});

test('a newcomer signs in with a name and sees the room\'s earlier messages from history', async () => {
  const room = `e2e-${Date.now().toString(36)}-history`;
  const alice = await open('alice', room);
  await send(alice.page, 'first');
  await send(alice.page, 'second');
  await waitForTexts(alice.page, ['first', 'second']);

  const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
  const page = await context.newPage();
  await page.goto(`${serverUrl}/?room=${room}`);
  assert.equal(await page.locator('#chat').isVisible(), false, 'no chat before signing in');
  await page.fill('#name', 'carol');
  await page.click('#signin button');
  await page.locator('[data-testid=status][data-status=open]').waitFor();
  assert.equal(await page.locator('#signin').isVisible(), false);
  await waitForTexts(page, ['first', 'second']);
  await page.screenshot({ path: join(screenshots, 'carol-joined.png') });
  const carol = { context };
  await alice.context.close();
  await carol.context.close();
});

test('a browser that missed more than the history holds is told so and shows the latest messages', async () => {
  const room = `e2e-${Date.now().toString(36)}-lost`;
  const channel = `&channel=tiny:${room}`; // the server under test keeps 3 publications in namespace "tiny"
  const alice = await open('alice', room, channel);
  const bob = await open('bob', room, channel);
  await send(alice.page, 'before');
  await waitForTexts(bob.page, ['before']);

  await bob.context.setOffline(true);
  await bob.page.locator('[data-testid=status][data-status=offline]').waitFor();
  const sent = ['m1', 'm2', 'm3', 'm4', 'm5'];
  for (const text of sent) await send(alice.page, text);
  await waitForTexts(alice.page, ['before', ...sent]);
  await bob.context.setOffline(false);

  await bob.page.locator('[data-testid=notice]:visible').waitFor();
  assert.match(await bob.page.locator('[data-testid=notice]').textContent(), /could not be recovered/);
  await waitForTexts(bob.page, ['m3', 'm4', 'm5']);
  await bob.page.screenshot({ path: join(screenshots, 'bob-unrecovered.png') });
  await send(alice.page, 'live again');
  await waitForTexts(bob.page, ['m3', 'm4', 'm5', 'live again']);

  await alice.context.close();
  await bob.context.close();
});

test('tabs of one browser share a single connection through a SharedWorker and all see the room live', async () => {
  const room = `e2e-${Date.now().toString(36)}-shared`;
  const subscribers = async () => {
    const { channels } = await (await fetch(`${serverUrl}/api/channels`)).json();
    return channels.find((c) => c.channel === `chat:${room}`)?.subscribers ?? 0;
  };
  const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
  const tabs = [];
  for (let i = 0; i < 3; i++) {
    const page = await context.newPage();
    page.on('pageerror', (error) => { throw error; });
    await page.goto(`${serverUrl}/?user=dana&room=${room}&shared=1`);
    await page.locator('[data-testid=status][data-status=open]').waitFor();
    tabs.push(page);
  }
  assert.equal(await subscribers(), 1, 'three tabs, one server subscription');

  const erin = await open('erin', room);
  await send(tabs[0], 'from tab 0');
  await send(erin.page, 'from erin');
  for (const page of [...tabs, erin.page]) await waitForTexts(page, ['from tab 0', 'from erin']);

  await tabs[1].close({ runBeforeUnload: true });
  await send(tabs[2], 'from tab 2');
  for (const page of [tabs[0], tabs[2], erin.page]) await waitForTexts(page, ['from tab 0', 'from erin', 'from tab 2']);
  const late = await context.newPage();
  await late.goto(`${serverUrl}/?user=dana&room=${room}&shared=1`);
  await waitForTexts(late, ['from tab 0', 'from erin', 'from tab 2']);
  assert.equal(await subscribers(), 2, 'still one subscription for dana\'s tabs, plus erin\'s');
  await tabs[0].screenshot({ path: join(screenshots, 'shared-tab.png') });

  await context.close();
  await erin.context.close();
});

test('with WebSocket blocked the page falls back to SSE and still gets live messages and catches up after going offline', async () => {
  const room = `e2e-${Date.now().toString(36)}-sse`;
  const alice = await open('alice', room);
  const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
  // A network that breaks WebSockets: every attempt to open one fails at once.
  await context.addInitScript(() => {
    window.WebSocket = class BlockedWebSocket {
      constructor() { throw new Error('WebSocket blocked by the network'); }
    };
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => { throw error; });
  await page.goto(`${serverUrl}/?user=bob&room=${room}`);
  await page.locator('[data-testid=status][data-status=open][data-transport=sse]').waitFor({ timeout: 20000 });
  const bob = { context, page };

  await send(alice.page, 'to bob over sse');
  await waitForTexts(bob.page, ['to bob over sse']);
  await send(bob.page, 'bob answers by POST');
  await waitForTexts(alice.page, ['to bob over sse', 'bob answers by POST']);

  await bob.context.setOffline(true);
  await bob.page.locator('[data-testid=status][data-status=offline]').waitFor();
  await send(alice.page, 'missed 1');
  await send(alice.page, 'missed 2');
  await waitForTexts(alice.page, ['to bob over sse', 'bob answers by POST', 'missed 1', 'missed 2']);
  await bob.context.setOffline(false);
  await bob.page.locator('[data-testid=status][data-status=open][data-transport=sse]').waitFor({ timeout: 20000 });
  await waitForTexts(bob.page, ['to bob over sse', 'bob answers by POST', 'missed 1', 'missed 2']);
  await bob.page.screenshot({ path: join(screenshots, 'bob-sse.png') });

  await alice.context.close();
  await bob.context.close();
});

test('without SharedWorker the tabs elect a leader that holds the one connection, and the next tab takes over when it closes', async () => {
  const room = `e2e-${Date.now().toString(36)}-leader`;
  const subscribers = async () => {
    const { channels } = await (await fetch(`${serverUrl}/api/channels`)).json();
    return channels.find((c) => c.channel === `chat:${room}`)?.subscribers ?? 0;
  };
  const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
  await context.addInitScript(() => { delete window.SharedWorker; });
  const tabs = [];
  for (let i = 0; i < 3; i++) {
    const page = await context.newPage();
    page.on('pageerror', (error) => { throw error; });
    await page.goto(`${serverUrl}/?user=fay&room=${room}&shared=1`);
    await page.locator('[data-testid=status][data-status=open]').waitFor();
    tabs.push(page);
  }
  const sharing = await Promise.all(tabs.map((page) => page.evaluate(() => [window.tandem.sharing, window.tandem.leading])));
  assert.deepEqual(sharing, [['broadcast', true], ['broadcast', false], ['broadcast', false]], 'the first tab leads');
  assert.equal(await subscribers(), 1, 'three tabs, one server subscription');

  const gus = await open('gus', room);
  await send(tabs[1], 'from a follower tab');
  await send(gus.page, 'from gus');
  for (const page of [...tabs, gus.page]) await waitForTexts(page, ['from a follower tab', 'from gus']);

  await tabs[0].close({ runBeforeUnload: true }); // the leader goes: its connection with it
  await send(gus.page, 'while the lead changes');
  await tabs[1].waitForFunction(() => window.tandem.leading || document.querySelector('[data-testid=status]').dataset.status === 'open');
  for (const page of [tabs[1], tabs[2]]) await waitForTexts(page, ['from a follower tab', 'from gus', 'while the lead changes']);
  const leaders = await Promise.all([tabs[1], tabs[2]].map((page) => page.evaluate(() => window.tandem.leading)));
  assert.equal(leaders.filter(Boolean).length, 1, 'exactly one new leader');
  await send(tabs[2], 'after the hand-over');
  for (const page of [tabs[1], tabs[2], gus.page]) {
    await waitForTexts(page, ['from a follower tab', 'from gus', 'while the lead changes', 'after the hand-over']);
  }
  await waitFor(async () => (await subscribers()) === 2, 'one subscription for fay\'s tabs again, plus gus\'s');
  await tabs[1].screenshot({ path: join(screenshots, 'leader-tab.png') });

  await context.close();
  await gus.context.close();
});

async function waitFor(predicate, what, timeout = 15000) {
  const deadline = Date.now() + timeout;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
