// The shopper's own Confidant page. It calls the public HTTP API like any client; the session cookie set by
// the e-mailed sign-in link authenticates it. Everything shown is built with textContent, never as HTML.

const SCOPES = {
  'identity.name': 'My name',
  'identity.contact': 'How to reach me',
  'profile.sizes': 'Sizes',
  'profile.diet': 'Diet',
  'profile.likes': 'Likes and dislikes',
  'profile.dates': 'Dates',
  'profile.household': 'Household',
  gifts: 'People I shop for',
  'orders.other_brands': 'Orders at other shops',
  'location.city': 'My city',
  'profile.allergies': 'Allergies (special category)',
  'profile.budget': 'Budgets (special category)',
  'location.precise': 'Precise location (special category)',
};
const PURPOSES = { service: 'Service', recommendations: 'Suggestions', marketing: 'Marketing', analytics: 'Analytics' };
const PENDING_LINK = 'confidant.pendingLink';

const $ = (sel) => document.querySelector(sel);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
    else if (k in node) node[k] = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `the server answered ${status}`);
    this.status = status;
  }
}

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

const when = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function show(section) {
  for (const id of ['sign-in', 'link', 'app']) $(`#${id}`).hidden = id !== section;
  $('#sign-out').hidden = section === 'sign-in';
}

// ---- signing in -----------------------------------------------------------------------------

function signIn(message) {
  show('sign-in');
  $('#sign-in-status').textContent = message ?? '';
  $('#sign-in-form').onsubmit = async (e) => {
    e.preventDefault();
    const email = $('#email').value.trim();
    try {
      await api('POST', '/v1/auth/email', { email });
      $('#sign-in-status').textContent =
        `Check your inbox: we sent a sign-in link to ${email}. It works once, for 15 minutes.`;
    } catch (err) {
      $('#sign-in-status').textContent = err.message;
    }
  };
}

$('#sign-out').addEventListener('click', async () => {
  await api('POST', '/v1/auth/logout').catch(() => {});
  signIn('You are signed out.');
});

// ---- linking a shop -------------------------------------------------------------------------

async function offerLink(code, me) {
  let preview;
  try {
    preview = await api('GET', `/v1/me/links/${encodeURIComponent(code)}`);
  } catch {
    localStorage.removeItem(PENDING_LINK);
    return false;
  }
  show('link');
  $('#link-text').textContent =
    `${preview.brand.name} asks to link its customer account (${preview.customer_id}) to your Confidant, ${me.display_name ?? me.email}. ` +
    'Once linked, what it knows about you joins your profile, where you can see and delete it, and you decide what it may use.';
  const done = () => {
    localStorage.removeItem(PENDING_LINK);
    history.replaceState(null, '', '/');
  };
  $('#link-confirm').onclick = async () => {
    try {
      const r = await api('POST', `/v1/me/links/${encodeURIComponent(code)}`);
      done();
      await openApp(me, `${r.brand.name} is linked to your Confidant.`);
    } catch (err) {
      $('#link-status').textContent = err.message;
    }
  };
  $('#link-cancel').onclick = async () => {
    done();
    await openApp(me);
  };
  return true;
}

// ---- the signed-in page ---------------------------------------------------------------------

let links = [];

async function openApp(me, notice) {
  show('app');
  $('#hello').textContent = notice ?? `Hello ${me.display_name ?? me.email}.`;
  links = (await api('GET', '/v1/me/links')).links;
  const select = $('#chat-with');
  select.replaceChildren(
    el('option', { value: 'me', textContent: 'My Confidant' }),
    ...links.map((l) => el('option', { value: l.brand.slug, textContent: l.brand.name })),
  );
  select.onchange = () => loadChat();
  for (const tab of document.querySelectorAll('[role=tab]')) tab.onclick = () => openTab(tab.dataset.tab);
  await openTab('chat');
}

const LOADERS = {
  chat: loadChat,
  profile: loadFacts,
  grants: loadGrants,
  audit: () => loadAudit(),
  data: async () => {},
};

async function openTab(name) {
  for (const tab of document.querySelectorAll('[role=tab]'))
    tab.setAttribute('aria-selected', String(tab.dataset.tab === name));
  for (const panel of document.querySelectorAll('.panel')) panel.hidden = panel.dataset.panel !== name;
  await LOADERS[name]();
}

// Chat

/** The name of who is talking to the shopper: their own Confidant, or the shop whose chat this is. */
function chatName() {
  const slug = $('#chat-with').value;
  return slug === 'me' ? 'Confidant' : (links.find((l) => l.brand.slug === slug)?.brand.name ?? 'The shop');
}

/** Text with its web links made into links (nodes, never HTML). */
function withLinks(text) {
  const p = el('p');
  let last = 0;
  for (const m of text.matchAll(/https?:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g)) {
    p.append(text.slice(last, m.index), el('a', { href: m[0], target: '_blank', rel: 'noopener', textContent: m[0] }));
    last = m.index + m[0].length;
  }
  p.append(text.slice(last));
  return p;
}

function addMessage(role, text) {
  const shop = chatName();
  $('#messages').append(
    el(
      'li',
      { class: role },
      el('span', {
        class: 'who',
        textContent: role === 'shopper' ? 'You' : role === 'operator' ? `A person from ${shop}` : shop,
      }),
      withLinks(text),
    ),
  );
  $('#messages').lastElementChild.scrollIntoView({ block: 'nearest' });
  if (role !== 'shopper' && speakReplies) speechSynthesis.speak(new SpeechSynthesisUtterance(text));
}

function showActions(actions) {
  $('#chat-actions').replaceChildren(
    ...actions.map((a) => el('button', { type: 'button', textContent: a.label, on: { click: () => send(a.value) } })),
  );
}

async function loadChat() {
  const page = await api('GET', `/v1/conversations/${$('#chat-with').value}/messages?limit=50`);
  $('#messages').replaceChildren();
  for (const m of page.messages) addMessage(m.role, m.text);
  showActions(page.messages.at(-1)?.actions ?? []);
}

async function send(text) {
  addMessage('shopper', text);
  showActions([]);
  try {
    const turn = await api('POST', `/v1/conversations/${$('#chat-with').value}/messages`, { text });
    addMessage('assistant', turn.reply.text);
    showActions(turn.reply.actions);
  } catch (err) {
    addMessage('assistant', `Sorry, that did not go through: ${err.message}`);
  }
}

// Voice: the browser's speech recognition where it has one (the button is absent otherwise), and replies read aloud.
let speakReplies = false;
const Recognition = window.SpeechRecognition ?? window.webkitSpeechRecognition;
if (Recognition) {
  const mic = $('#mic');
  mic.hidden = false;
  mic.addEventListener('click', () => {
    const rec = new Recognition();
    rec.lang = navigator.language || 'en-US';
    rec.interimResults = false;
    rec.onresult = (e) => {
      const text = e.results[0][0].transcript.trim();
      if (text) void send(text);
    };
    rec.start();
  });
}
if ('speechSynthesis' in window) {
  $('#speak-label').hidden = false;
  $('#speak').addEventListener('change', (e) => {
    speakReplies = e.target.checked;
  });
}

$('#chat-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('#chat-text').value.trim();
  $('#chat-text').value = '';
  if (text) void send(text);
});

// What I know

function sourceOf(f) {
  const shop = f.source_brand
    ? (links.find((l) => l.brand.slug === f.source_brand)?.brand.name ?? f.source_brand)
    : null;
  if (f.source === 'stated') return 'you told me';
  if (f.source === 'observed') return shop ? `seen in your ${shop} orders` : 'seen in your orders';
  if (f.source === 'imported') return shop ? `from ${shop}` : 'imported';
  return 'my guess';
}

async function loadFacts() {
  const { facts } = await api('GET', '/v1/me/profile');
  const box = $('#facts');
  if (facts.length === 0) {
    box.replaceChildren(
      el('p', { textContent: 'Nothing yet. Tell me in the chat what you like, your sizes or a birthday to remember.' }),
    );
    return;
  }
  const groups = new Map();
  for (const f of facts) groups.set(f.about, [...(groups.get(f.about) ?? []), f]);
  box.replaceChildren(
    ...[...groups].map(([about, list]) =>
      el(
        'section',
        { class: 'facts' },
        el('h3', { textContent: about === 'self' ? 'About you' : `About your ${about}` }),
        el(
          'ul',
          {},
          ...list.map((f) =>
            el(
              'li',
              { class: 'fact' },
              el('span', { class: 'text', textContent: f.text }),
              el('span', {
                class: 'source',
                textContent: ` (${sourceOf(f)}, ${when(f.stated_at)}${f.sensitivity !== 'low' ? ', sensitive' : ''})`,
              }),
              el('button', {
                type: 'button',
                class: 'quiet',
                textContent: 'Delete',
                'aria-label': `Delete ${f.text}`,
                on: {
                  click: async () => {
                    if (!confirm(`Delete "${f.text}"? Confidant forgets it, and shops can no longer use it.`)) return;
                    await api('DELETE', `/v1/me/profile/facts/${f.id}`);
                    await loadFacts();
                  },
                },
              }),
            ),
          ),
        ),
      ),
    ),
  );
}

// Who sees what

async function loadGrants() {
  const { grants } = await api('GET', '/v1/me/grants');
  const brands = new Map(links.map((l) => [l.brand.slug, l.brand]));
  for (const g of grants) brands.set(g.brand.slug, g.brand);
  const box = $('#grants');
  if (brands.size === 0) {
    box.replaceChildren(el('p', { textContent: 'No shop is linked to your Confidant yet.' }));
    return;
  }
  const has = new Set(grants.map((g) => `${g.brand.slug}|${g.scope}|${g.purpose}`));
  // One card per shop; in it, each part of the profile with a box per purpose (fits a phone, no wide table).
  box.replaceChildren(
    ...[...brands.values()].map((brand) =>
      el(
        'section',
        { class: 'grant-card', 'data-brand': brand.slug },
        el('h3', { textContent: brand.name }),
        ...Object.entries(SCOPES).map(([scope, label]) =>
          el(
            'fieldset',
            { class: 'scope' },
            el('legend', { textContent: label }),
            ...Object.entries(PURPOSES).map(([purpose, word]) =>
              el(
                'label',
                {},
                el('input', {
                  type: 'checkbox',
                  checked: has.has(`${brand.slug}|${scope}|${purpose}`),
                  'aria-label': `${brand.name}: ${label} for ${word}`,
                  on: { change: (e) => setGrant(brand.slug, scope, purpose, e.target.checked) },
                }),
                ` ${word}`,
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

async function setGrant(brand, scope, purpose, on) {
  if (on) await api('PUT', '/v1/me/grants', { brand, scopes: [scope], purposes: [purpose], how: 'page' });
  else await api('DELETE', `/v1/me/grants?${new URLSearchParams({ brand, scopes: scope, purposes: purpose })}`);
}

// Activity

const ACTIONS = { read_profile: 'read', recommendation: 'used' };
const PURPOSE_WORDS = {
  service: 'to serve you',
  recommendations: 'for suggestions',
  marketing: 'for marketing',
  analytics: 'for statistics',
};
const scopeWord = (s) => (SCOPES[s] ?? s).replace(/ \(special category\)$/, '').toLowerCase();

function dayWord(iso) {
  const d = new Date(iso);
  const today = new Date();
  const yesterday = new Date(Date.now() - 86400000);
  if (d.toDateString() === today.toDateString()) return 'today';
  if (d.toDateString() === yesterday.toDateString()) return 'yesterday';
  return `on ${d.toLocaleDateString(undefined, { dateStyle: 'medium' })}`;
}

/** Repeated reads become one line: "Volt read your diet (vegan) 8 times today for suggestions". */
function groupAudit(entries) {
  const groups = new Map();
  for (const e of entries) {
    const what = e.facts.map((f) => f.text).filter(Boolean);
    const key = [e.brand.slug, e.action, e.purpose, [...e.scopes].sort().join(','), what.join(','), dayWord(e.at)].join(
      '|',
    );
    const g = groups.get(key) ?? { e, what, n: 0, last: e.at };
    g.n++;
    groups.set(key, g);
  }
  return [...groups.values()].map(({ e, what, n, last }) => {
    const parts = e.scopes.length ? `your ${[...new Set(e.scopes.map(scopeWord))].join(', ')}` : 'nothing you shared';
    const facts = what.length ? ` (${what.join(', ')})` : '';
    const times = n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
    const verb = ACTIONS[e.action] ?? e.action.replace(/_/g, ' ');
    return {
      text: `${e.brand.name} ${verb} ${parts}${facts} ${times} ${dayWord(e.at)} ${PURPOSE_WORDS[e.purpose] ?? `for ${e.purpose}`}`,
      last,
    };
  });
}

let auditEntries = [];
async function loadAudit(cursor) {
  const page = await api('GET', `/v1/me/audit?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
  auditEntries = cursor ? [...auditEntries, ...page.entries] : page.entries;
  $('#audit').replaceChildren(
    ...groupAudit(auditEntries).map((g) =>
      el(
        'li',
        {},
        el('span', { textContent: g.text }),
        el('span', { class: 'when', textContent: ` (last ${when(g.last)})` }),
      ),
    ),
  );
  if (auditEntries.length === 0) $('#audit').append(el('li', { textContent: 'No shop has read your data yet.' }));
  const more = $('#audit-more');
  more.hidden = !page.next_cursor;
  more.onclick = () => loadAudit(page.next_cursor);
}

// My data

$('#erase').addEventListener('click', async () => {
  if (!confirm('Delete everything Confidant holds about you? This cannot be undone.')) return;
  try {
    await api('DELETE', '/v1/me');
    signIn('Your Confidant is deleted: everything about you is erased, and the linked shops are told.');
  } catch (err) {
    $('#erase-status').textContent = err.message;
  }
});

// A scrolling list is reachable by keyboard.
$('#messages').tabIndex = 0;

// ---- start ----------------------------------------------------------------------------------

async function start() {
  const code = new URLSearchParams(location.search).get('code');
  if (location.pathname === '/link' && code) localStorage.setItem(PENDING_LINK, code);
  let me;
  try {
    me = (await api('GET', '/v1/me/profile')).person;
  } catch (err) {
    if (err.status === 401)
      return signIn(localStorage.getItem(PENDING_LINK) ? 'Sign in to link the shop to your Confidant.' : undefined);
    throw err;
  }
  const pending = localStorage.getItem(PENDING_LINK);
  if (pending && (await offerLink(pending, me))) return;
  await openApp(me);
}

void start();
