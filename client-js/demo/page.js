// What the demo's pages share: the sign-in, the connection badge, the client options from the URL, colours.
export const params = new URLSearchParams(location.search);
export const room = params.get('room') || 'lobby';
export const $ = (id) => document.getElementById(id);

const STATUS_TEXT = { connecting: 'Connecting…', open: 'Live', reconnecting: 'Connecting…', offline: 'Offline', closed: 'Disconnected' };

/** Calls `start(user)` with the signed-in user, after showing the sign-in form when there is none yet. */
export function signIn(start) {
  const user = params.get('user') || localStorage.getItem('tandem.demo.user');
  if (user) {
    start(user);
    return;
  }
  $('signin').hidden = false;
  $('signin').addEventListener('submit', (event) => {
    event.preventDefault();
    const name = $('name').value.trim();
    localStorage.setItem('tandem.demo.user', name);
    params.set('user', name);
    location.search = params.toString();
  });
}

/** The client options for `user`; `?transports=sse,long-polling` picks the transports, in order. */
export function clientOptions(user) {
  const options = { url: location.origin, user };
  if (params.get('transports')) options.transports = params.get('transports').split(',');
  return options;
}

/** Keeps the badge (Live / Connecting… / Offline) and its `data-status` / `data-transport` in step with the client. */
export function showStatus(client) {
  client.status.subscribe((status) => {
    $('status').dataset.status = status;
    $('status').textContent = STATUS_TEXT[status] ?? status;
    if (client.transport) $('status').dataset.transport = client.transport;
    $('status').title = client.transport ? `via ${client.transport}` : '';
  });
}

export function notice(text) {
  $('notice').textContent = text;
  $('notice').hidden = false;
}

/** A stable colour per name. */
export function color(name) {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.codePointAt(0)) >>> 0;
  return `hsl(${hash % 360} 55% 48%)`;
}

/** A round avatar with the user's initials. */
export function avatar(name, background) {
  const face = document.createElement('span');
  face.className = 'avatar small';
  face.setAttribute('data-testid', 'avatar');
  face.dataset.user = name;
  face.textContent = name.slice(0, 2).toUpperCase();
  face.style.background = background ?? color(name);
  return face;
}

/** The header's row of avatars of the presence members (dimmed while away). */
export function showPeople(members) {
  $('people').replaceChildren(...members.map((m) => {
    const face = avatar(m.id, m.state?.color);
    face.dataset.status = m.status;
    face.title = `${m.name} (${m.status})`;
    return face;
  }));
}
