// The Tandem demo's task board: a live collection (optimistic edits, conflict dialog) and presence (who is
// here, and who is looking at which task), using the SDK as plain ES modules from /sdk.
import { TandemClient } from '/sdk/index.js';
import { $, avatar, clientOptions, color, notice, params, room, showPeople, showStatus, signIn } from '/demo/page.js';

const COLUMNS = ['todo', 'doing', 'done'];
$('to-chat').href = `/?${params}`;
signIn(start);

function start(me) {
  $('board').hidden = false;
  $('room').textContent = `# ${room}`;
  $('me').textContent = me;
  const client = new TandemClient(clientOptions(me));
  window.tandem = client; // handy in the console, and for the end-to-end tests
  showStatus(client);

  const tasks = client.collection(`board-${room}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64), {
    sort: 'data.order',
    onConflict: askWhichVersion,
  });
  window.board = tasks;
  const presence = client.presence(`board:${room}`);
  const state = { name: me, color: color(me), viewing: null };
  let members = [];

  tasks.records.subscribe(render);
  tasks.on('error', (error) => notice(`Could not load the board: ${error.message}`));
  tasks.on('rollback', ({ error }) => {
    if (error.code !== 'conflict') notice(`Change undone: ${error.message}`);
  });
  presence.members.subscribe((list) => {
    members = list;
    showPeople(list);
    render(tasks.records.get());
  });
  client.connect();
  presence.join(state).catch((error) => notice(`Presence: ${error.message}`));

  $('add').addEventListener('submit', (event) => {
    event.preventDefault();
    const title = $('title').value.trim();
    if (!title) return;
    $('title').value = '';
    const last = tasks.records.get().at(-1);
    tasks.create({ title, column: 'todo', order: (last?.data.order ?? 0) + 1 }).catch(() => {});
  });

  function render(records) {
    for (const column of COLUMNS) {
      const list = document.querySelector(`[data-column=${column}] .cards`);
      const cards = records.filter((r) => (r.data.column ?? 'todo') === column);
      document.querySelector(`[data-column=${column}] .count`).textContent = cards.length || '';
      const keep = new Set(cards.map((r) => r.id));
      for (const element of [...list.children]) if (!keep.has(element.dataset.id)) element.remove();
      cards.forEach((record, index) => {
        let element = list.querySelector(`[data-id="${CSS.escape(record.id)}"]`);
        if (!element) element = card(record);
        update(element, record);
        if (list.children[index] !== element) list.insertBefore(element, list.children[index] ?? null);
      });
    }
  }

  function card(record) {
    const item = document.createElement('li');
    item.className = 'card';
    item.setAttribute('data-testid', 'task');
    item.dataset.id = record.id;
    item.innerHTML = `<div class="card-top"><span class="title" tabindex="0"></span><span class="viewers"></span></div>
      <div class="card-actions"><button class="move" data-to="-1" title="Move left">←</button>
      <button class="move" data-to="1" title="Move right">→</button><button class="remove" title="Delete">✕</button></div>`;
    const title = item.querySelector('.title');
    title.addEventListener('focus', () => view(item.dataset.id));
    title.addEventListener('blur', () => view(null));
    title.addEventListener('dblclick', () => edit(item));
    title.addEventListener('keydown', (event) => { if (event.key === 'Enter') edit(item); });
    for (const button of item.querySelectorAll('.move')) {
      button.addEventListener('click', () => move(item.dataset.id, Number(button.dataset.to)));
    }
    item.querySelector('.remove').addEventListener('click', () => tasks.delete(item.dataset.id).catch(() => {}));
    return item;
  }

  function update(element, record) {
    element.dataset.id = record.id;
    element.classList.toggle('pending', Boolean(record.pending));
    const title = element.querySelector('.title');
    if (!title.isContentEditable) title.textContent = record.data.title;
    element.querySelector('[data-to="-1"]').disabled = record.data.column === 'todo';
    element.querySelector('[data-to="1"]').disabled = record.data.column === 'done';
    const viewers = element.querySelector('.viewers');
    viewers.replaceChildren(...members
      .filter((m) => m.id !== me && m.state?.viewing === record.id)
      .map((m) => avatar(m.id, m.state?.color)));
  }

  function edit(element) {
    const title = element.querySelector('.title');
    const id = element.dataset.id;
    if (id.startsWith('tmp_')) return;
    title.contentEditable = 'true';
    title.focus();
    view(id);
    const finish = (save) => {
      title.contentEditable = 'false';
      title.removeEventListener('keydown', keys);
      title.removeEventListener('blur', blur);
      const record = tasks.get(id);
      const text = title.textContent.trim();
      if (save && record && text && text !== record.data.title) {
        tasks.patch(id, { title: text }).catch(() => {});
      } else if (record) {
        title.textContent = record.data.title;
      }
      view(null);
    };
    const keys = (event) => {
      if (event.key === 'Enter') { event.preventDefault(); finish(true); }
      if (event.key === 'Escape') finish(false);
    };
    const blur = () => finish(true);
    title.addEventListener('keydown', keys);
    title.addEventListener('blur', blur);
  }

  function move(id, step) {
    const record = tasks.get(id);
    if (!record) return;
    const column = COLUMNS[COLUMNS.indexOf(record.data.column ?? 'todo') + step];
    if (column) tasks.patch(id, { column }).catch(() => {});
  }

  function view(id) {
    if (state.viewing === id) return;
    state.viewing = id;
    presence.update(state);
  }


}

/** The conflict dialog: resolves with the data to write ({data}) or nothing to keep the server's version. */
function askWhichVersion({ local, server }) {
  const dialog = $('conflict');
  $('conflict-mine').textContent = describe(local?.data);
  $('conflict-theirs').textContent = describe(server?.data);
  $('conflict-who').textContent = server?.updatedBy ? `(${server.updatedBy})` : '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'mine' && local ? { data: local.data } : undefined);
    }, { once: true });
  });
}

function describe(data) {
  if (!data) return '(deleted)';
  return `${data.title} · ${{ todo: 'To do', doing: 'Doing', done: 'Done' }[data.column] ?? data.column}`;
}



