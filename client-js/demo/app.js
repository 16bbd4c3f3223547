// The Tandem demo: a live chat room on one channel, using the SDK as plain ES modules from /sdk.
import { TandemClient, sharedClient } from '/sdk/index.js';
import { $, clientOptions, color, notice, params, room, showPeople, showStatus, signIn } from '/demo/page.js';

// `channel` overrides the room's channel (`chat:ROOM`), e.g. to try a namespace with another history policy.
const channelName = params.get('channel') || `chat:${room}`;
$('to-board').href = `/board?${params}`;
signIn(start);

function start(me) {
  $('chat').hidden = false;
  $('room').textContent = `# ${params.get('channel') || room}`;
  $('me').textContent = me;
  // ?shared=1: one connection for all of this browser's tabs (a SharedWorker, or a leader tab).
  const options = clientOptions(me);
  const client = params.get('shared') === '1' ? sharedClient(options) : new TandemClient(options);
  window.tandem = client; // handy in the console, and for the end-to-end tests
  showStatus(client);

  const channel = client.channel(channelName);
  const feed = $('feed');
  const pending = new Map(); // cid -> element of a message sent but not yet seen on the channel
  let loaded = false;

  channel.subscribe((publication) => render(publication));
  channel.on('subscribed', ({ seq, resumed }) => {
    if (!loaded && !resumed) {
      loaded = true;
      loadHistory(seq);
    }
  });
  channel.on('unrecovered', ({ seq }) => {
    notice('Some messages could not be recovered while you were away; showing the latest ones.');
    for (const element of feed.querySelectorAll('[data-seq]')) element.remove();
    loadHistory(seq);
  });
  // Who is typing: a TandemClient helper (a shared connection has no per-tab commands, so none there).
  const typing = typeof client.typing === 'function' ? client.typing(channelName) : null;
  typing?.users.subscribe((users) => {
    const names = users.map((u) => u.name).join(', ');
    $('typing').textContent = users.length === 0 ? '' : `${names} ${users.length === 1 ? 'is' : 'are'} typing…`;
  });
  $('text').addEventListener('input', () => ($('text').value ? typing?.start() : typing?.stop()));

  // Who is in the room (presence), as avatars in the header.
  if (typeof client.presence === 'function') {
    const presence = client.presence(channelName);
    presence.members.subscribe(showPeople);
    presence.join({ name: me, color: color(me) }).catch((error) => notice(`Presence: ${error.message}`));
  }

  // Read receipts ("Read by …" under your latest message) and unread messages while the page is hidden.
  const receipts = typeof client.receipts === 'function' ? client.receipts(channelName) : null;
  receipts?.receipts.subscribe(() => showReadBy());
  document.addEventListener('visibilitychange', () => readAll());
  client.connect();

  function readAll() {
    if (!receipts || document.visibilityState === 'hidden') return;
    const newest = Math.max(0, ...[...feed.querySelectorAll('[data-seq]')].map((e) => Number(e.dataset.seq)));
    receipts.markRead(newest);
    showUnread();
  }

  function showUnread() {
    if (!receipts) return;
    const unread = [...feed.querySelectorAll('[data-seq]:not(.mine)')]
      .filter((e) => Number(e.dataset.seq) > receipts.readUpTo).length;
    $('unread').textContent = unread > 99 ? '99+' : String(unread);
    $('unread').hidden = unread === 0;
    document.title = unread > 0 ? `(${unread}) Tandem demo` : 'Tandem demo';
  }

  function showReadBy() {
    for (const element of feed.querySelectorAll('.readby')) element.remove();
    const latest = [...feed.querySelectorAll('.message.mine[data-seq]')].at(-1);
    if (!latest || !receipts) return;
    const readers = receipts.readBy(Number(latest.dataset.seq), [me]);
    if (readers.length === 0) return;
    const line = document.createElement('div');
    line.className = 'readby';
    line.setAttribute('data-testid', 'readby');
    line.textContent = `Read by ${readers.join(', ')}`;
    latest.querySelector('.bubble').append(line);
  }

  async function loadHistory(upTo) {
    if (upTo === 0) return;
    const page = await channel.history({ before: upTo + 1, limit: 50 });
    for (const publication of page.publications) render(publication);
  }

  function render(publication) {
    if (feed.querySelector(`[data-seq="${publication.seq}"]`)) return;
    const { text, cid } = publication.payload ?? {};
    const element = pending.get(cid) ?? message(publication.userId, text, publication.userId === me);
    pending.delete(cid);
    element.classList.remove('pending');
    element.dataset.seq = publication.seq;
    element.querySelector('.time').textContent = time(publication.timestamp);
    const after = [...feed.children].find((child) => child.dataset.seq && Number(child.dataset.seq) > publication.seq);
    feed.insertBefore(element, after ?? feed.querySelector('.pending'));
    feed.scrollTop = feed.scrollHeight;
    if (publication.userId !== me) receipts?.markDelivered(publication.seq);
    readAll();
    showUnread();
    showReadBy();
  }

  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('text').value.trim();
    if (!text) return;
    $('text').value = '';
    typing?.stop();
    const cid = crypto.randomUUID();
    const element = message(me, text, true);
    element.classList.add('pending');
    pending.set(cid, element);
    feed.append(element);
    feed.scrollTop = feed.scrollHeight;
    channel.publish({ text, cid }).catch((error) => {
      element.remove();
      pending.delete(cid);
      notice(`Message not sent: ${error.message}`);
    });
  });
}

function message(userId, text, mine) {
  const item = document.createElement('li');
  item.className = 'message' + (mine ? ' mine' : '');
  item.dataset.testid = 'message';
  item.setAttribute('data-testid', 'message');
  const avatar = document.createElement('span');
  avatar.className = 'avatar';
  avatar.textContent = (userId ?? '?').slice(0, 2).toUpperCase();
  avatar.style.background = color(userId ?? '');
  const bubble = document.createElement('div');
  bubble.className = 'bubble';
  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.append(document.createTextNode(`${userId ?? 'server'} · `));
  const when = document.createElement('span');
  when.className = 'time';
  meta.append(when);
  const body = document.createElement('div');
  body.className = 'text';
  body.textContent = text ?? '';
  bubble.append(meta, body);
  item.append(avatar, bubble);
  return item;
}


function time(timestamp) {
  return timestamp ? new Date(timestamp).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '';
}

