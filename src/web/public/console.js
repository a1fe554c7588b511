// The brand console: figures as plots (uPlot) and the handoff inbox. Calls the console's API with its
// same-site cookie; everything shown is built with textContent, never as HTML.
const $ = (sel) => document.querySelector(sel);
const SCOPE_NAMES = {
  'identity.name': 'Name',
  'identity.contact': 'Contact',
  'profile.sizes': 'Sizes',
  'profile.diet': 'Diet',
  'profile.allergies': 'Allergies',
  'profile.likes': 'Likes',
  'profile.budget': 'Budget',
  'profile.dates': 'Dates',
  'profile.household': 'Household',
  gifts: 'Gifts',
  'orders.other_brands': 'Other shops',
  'location.city': 'City',
  'location.precise': 'Location',
};
const COLORS = ['#1e4e8c', '#c2410c', '#047857', '#7c3aed', '#b91c1c', '#0e7490'];

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

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw Object.assign(new Error(data?.error?.message ?? `HTTP ${res.status}`), { status: res.status });
  return data;
}

function show(which) {
  $('#sign-in').hidden = which !== 'sign-in';
  $('#console').hidden = which !== 'console';
  $('#sign-out').hidden = which !== 'console';
}

// ---- signing in -----------------------------------------------------------------------------

function signIn(message) {
  show('sign-in');
  $('#sign-in-status').textContent = message ?? '';
  const invite = new URLSearchParams(location.hash.slice(1)).get('invite');
  if (invite) {
    $('#invite').hidden = false;
    $('#invite-text').textContent = 'You were invited to this brand’s console.';
    $('#invite-accept').onclick = () => enter({ invite });
  }
}

async function enter(body) {
  try {
    await api('POST', '/console/api/session', body);
    history.replaceState(null, '', '/console');
    await open();
  } catch (err) {
    $('#sign-in-status').textContent = err.message;
  }
}

$('#sign-in-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const key = $('#secret-key').value.trim();
  $('#secret-key').value = '';
  void enter({ secret_key: key });
});

$('#sign-out').addEventListener('click', async () => {
  await api('POST', '/console/api/logout').catch(() => {});
  signIn('You are signed out.');
});

// ---- figures --------------------------------------------------------------------------------

const dayLabel = (d) => new Date(`${d}T12:00:00Z`).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });

/** A plot with its caption and its numbers as a table (for screen readers and for reading off). */
function figure(id, title, labels, series, opts = {}) {
  const total = series.reduce((n, s) => n + s.values.reduce((a, b) => a + b, 0), 0);
  const box = el('div', { class: 'plot' });
  const table = el(
    'table',
    {},
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { textContent: opts.xName ?? 'Day' }),
        ...series.map((s) => el('th', { textContent: s.label })),
      ),
    ),
    el(
      'tbody',
      {},
      ...labels.map((l, i) =>
        el(
          'tr',
          {},
          el('th', { textContent: l }),
          ...series.map((s) => el('td', { textContent: String(s.values[i]) })),
        ),
      ),
    ),
  );
  const fig = el(
    'figure',
    { id, 'data-points': String(total) },
    el('figcaption', { textContent: title }),
    box,
    total === 0 ? el('p', { class: 'empty', textContent: 'Nothing yet in these days.' }) : null,
    el('details', {}, el('summary', { textContent: 'The numbers' }), table),
  );
  $('#plots').append(fig);
  if (total === 0 || !window.uPlot) return;
  const width = Math.max(280, box.clientWidth || 340);
  const xs = labels.map((_, i) => i);
  const bars = opts.bars ? window.uPlot.paths.bars({ size: [0.7 / series.length, 40] }) : undefined;
  new window.uPlot(
    {
      width,
      height: 220,
      legend: { show: true },
      cursor: { show: true },
      scales: { x: { time: false } },
      axes: [
        {
          values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? (labels[t] ?? '') : '')),
          rotate: opts.bars ? 0 : undefined,
        },
        { values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : '')) },
      ],
      series: [
        { label: opts.xName ?? 'Day', value: (_u, v) => (v == null ? '' : (labels[v] ?? '')) },
        ...series.map((s, i) => ({
          label: s.label,
          stroke: COLORS[i % COLORS.length],
          fill: opts.bars ? `${COLORS[i % COLORS.length]}cc` : undefined,
          width: 2,
          paths: bars,
          points: { show: !opts.bars },
        })),
      ],
    },
    [xs, ...series.map((s) => s.values)],
    box,
  );
}

async function loadFigures() {
  const f = await api('GET', '/console/api/figures?days=14');
  $('#plots').replaceChildren();
  $('#cohort-note').textContent =
    `Counts only, never a person. Conversations and intents count the ${f.analyticsPeople} ${f.analyticsPeople === 1 ? 'person' : 'people'} who let you use their data for analytics.`;
  const days = f.days.map(dayLabel);
  figure('plot-conversations', 'Conversations per day (people who chatted)', days, [
    { label: 'Conversations', values: f.conversations },
  ]);
  const top = Object.entries(f.intents)
    .sort((a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0))
    .slice(0, 5);
  figure(
    'plot-intents',
    'What shoppers asked, by intent',
    days,
    top.map(([name, values]) => ({ label: name.replace(/_/g, ' '), values })),
  );
  figure(
    'plot-grants',
    'Grants given and revoked, by scope',
    f.grants.scopes.map((s) => SCOPE_NAMES[s] ?? s),
    [
      { label: 'Given', values: f.grants.given },
      { label: 'Revoked', values: f.grants.revoked },
    ],
    { bars: true, xName: 'Scope' },
  );
  figure('plot-handoffs', `Handoffs (${f.handoffs.waiting} waiting now)`, days, [
    { label: 'Asked for a person', values: f.handoffs.opened },
    { label: 'Answered', values: f.handoffs.answered },
  ]);
  const ctr =
    f.recommendations.clicked.reduce((a, b) => a + b, 0) /
    Math.max(
      1,
      f.recommendations.shown.reduce((a, b) => a + b, 0),
    );
  figure('plot-recommendations', `Recommendations in the chat: ${(ctr * 100).toFixed(1)}% clicked`, days, [
    { label: 'Shown', values: f.recommendations.shown },
    { label: 'Clicked', values: f.recommendations.clicked },
  ]);
  const levels = ['new', 'low', 'medium', 'high'];
  const hidden = levels.filter((l) => f.trust.levels[l] === null);
  figure(
    'plot-trust',
    `Trust of your customers${hidden.length ? ` (levels with fewer than ${f.trust.minBucket} people hidden)` : ''}`,
    ['New', 'Low', 'Medium', 'High'],
    [{ label: 'People', values: levels.map((l) => f.trust.levels[l] ?? 0) }],
    { bars: true, xName: 'Level' },
  );
  $('#waiting-badge').textContent = f.handoffs.waiting ? String(f.handoffs.waiting) : '';
}

// ---- handoff inbox --------------------------------------------------------------------------

const ROLES = { shopper: 'Shopper', assistant: 'Assistant', operator: 'You' };

async function loadInbox() {
  const { handoffs } = await api('GET', '/console/api/handoffs');
  const list = $('#handoffs');
  if (handoffs.length === 0) {
    list.replaceChildren(el('li', { textContent: 'Nobody is waiting for a person.' }));
    return;
  }
  list.replaceChildren(
    ...handoffs.map((h) => {
      const text = el('textarea', { id: `answer-${h.id}`, required: true, maxLength: 2000 });
      const status = el('p', { role: 'status' });
      const asked = new Date(h.created_at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
      return el(
        'li',
        { class: 'handoff' },
        el('h3', { textContent: `${h.customer_id ?? h.person} asked on ${asked}: “${h.request}”` }),
        el(
          'ol',
          { class: 'transcript', 'aria-label': 'The conversation that led to it', tabIndex: 0 },
          ...h.transcript.map((m) =>
            el('li', {}, el('span', { class: 'role', textContent: `${ROLES[m.role] ?? m.role}:` }), m.text),
          ),
        ),
        el(
          'form',
          {
            on: {
              submit: async (e) => {
                e.preventDefault();
                try {
                  await api('POST', `/console/api/handoffs/${h.id}/reply`, { text: text.value });
                  status.textContent = 'Sent, and marked done.';
                  await Promise.all([loadInbox(), loadFigures()]);
                } catch (err) {
                  status.textContent = err.message;
                }
              },
            },
          },
          el('label', { htmlFor: `answer-${h.id}`, textContent: 'Your answer, as a person' }),
          text,
          el('button', { type: 'submit', textContent: 'Send and mark done' }),
          status,
        ),
      );
    }),
  );
}

// ---- start ----------------------------------------------------------------------------------

async function open() {
  const me = await api('GET', '/console/api/me');
  show('console');
  $('#brand-name').textContent = `${me.brand.name} console`;
  document.title = `${me.brand.name}: Confidant console`;
  await Promise.all([loadFigures(), loadInbox()]);
}

open().catch((err) => {
  if (err.status === 401) signIn();
  else $('#sign-in-status').textContent = err.message;
});
