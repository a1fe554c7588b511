// Confidant's chat for any shop's page:
//   <script src="https://HOST/widget.js" data-brand="volt" async></script>
// Settings come from window.confidantSettings or the tag's data- attributes (position, color, language,
// customerId + customerHash from the shop's server, productUrl). Events: `confidant:ready` and
// `confidant:message` on window, or Confidant.on('ready' | 'message', fn). It renders in a shadow root
// (the shop's styles stay out), builds nothing until the page has loaded, and never uses inline code or styles.
(() => {
  const script = document.currentScript;
  if (!script || window.Confidant) return;
  const HOST = new URL(script.src).origin;
  const data = script.dataset;
  const page = window.confidantSettings ?? {};
  const brandSlug = page.brand ?? data.brand;
  if (!brandSlug) return;

  const WORDS = {
    en: {
      chat: 'Chat with',
      placeholder: 'Ask about a product or your order',
      send: 'Send',
      close: 'Close chat',
      creepy: 'Too creepy',
      creepyText: "that's too creepy",
      waiting: 'A person from {b} will answer here.',
      person: 'A person from {b}',
      link: 'Link your Confidant to {b} to talk about your own orders.',
      linkButton: 'Link my Confidant',
      allow: 'Allow',
      notNow: 'Not now',
      asks: '{b} asks to use your {s} for {p}.',
      mic: 'Speak',
      speak: 'Read replies aloud',
      you: 'You',
      failed: 'That did not go through. Try again.',
    },
    de: {
      chat: 'Chat mit',
      placeholder: 'Fragen Sie nach einem Produkt oder Ihrer Bestellung',
      send: 'Senden',
      close: 'Chat schließen',
      creepy: 'Zu aufdringlich',
      creepyText: "that's too creepy",
      waiting: 'Eine Person von {b} antwortet hier.',
      person: 'Eine Person von {b}',
      link: 'Verbinden Sie Ihr Confidant mit {b}, um über Ihre Bestellungen zu sprechen.',
      linkButton: 'Confidant verbinden',
      allow: 'Erlauben',
      notNow: 'Nicht jetzt',
      asks: '{b} möchte Ihre {s} für {p} nutzen.',
      mic: 'Sprechen',
      speak: 'Antworten vorlesen',
      you: 'Sie',
      failed: 'Das hat nicht geklappt. Bitte erneut versuchen.',
    },
    fr: {
      chat: 'Discuter avec',
      placeholder: 'Une question sur un produit ou votre commande',
      send: 'Envoyer',
      close: 'Fermer',
      creepy: 'Trop intrusif',
      creepyText: "that's too creepy",
      waiting: 'Une personne de {b} répondra ici.',
      person: 'Une personne de {b}',
      link: 'Reliez votre Confidant à {b} pour parler de vos commandes.',
      linkButton: 'Relier mon Confidant',
      allow: 'Autoriser',
      notNow: 'Pas maintenant',
      asks: '{b} demande à utiliser vos {s} pour {p}.',
      mic: 'Parler',
      speak: 'Lire les réponses',
      you: 'Vous',
      failed: "Ça n'est pas passé. Réessayez.",
    },
    es: {
      chat: 'Chatea con',
      placeholder: 'Pregunta por un producto o tu pedido',
      send: 'Enviar',
      close: 'Cerrar',
      creepy: 'Demasiado invasivo',
      creepyText: "that's too creepy",
      waiting: 'Una persona de {b} responderá aquí.',
      person: 'Una persona de {b}',
      link: 'Vincula tu Confidant con {b} para hablar de tus pedidos.',
      linkButton: 'Vincular mi Confidant',
      allow: 'Permitir',
      notNow: 'Ahora no',
      asks: '{b} pide usar tus {s} para {p}.',
      mic: 'Hablar',
      speak: 'Leer respuestas',
      you: 'Tú',
      failed: 'No se pudo enviar. Inténtalo de nuevo.',
    },
  };
  const SCOPES = {
    'identity.name': 'name',
    'identity.contact': 'contact details',
    'profile.sizes': 'sizes',
    'profile.diet': 'diet',
    'profile.likes': 'likes',
    'profile.dates': 'dates',
    'profile.household': 'household',
    gifts: 'gift list',
    'location.city': 'city',
  };
  const PURPOSES = { service: 'service', recommendations: 'suggestions', marketing: 'offers', analytics: 'statistics' };

  const listeners = { ready: [], message: [] };
  const state = { token: null, status: 'anonymous', brand: { slug: brandSlug, name: brandSlug }, handoff: null };
  const storeKey = `confidant:${brandSlug}:${page.customerId ?? data.customerId ?? ''}`;
  let ui = null;
  let look = {};
  let t = WORDS.en;
  let speakReplies = false;
  let pollTimer = null;

  const emit = (name, detail) => {
    for (const fn of listeners[name] ?? []) fn(detail);
    window.dispatchEvent(new CustomEvent(`confidant:${name}`, { detail }));
  };
  const say = (text, vars = {}) => text.replace(/\{(\w)\}/g, (_, k) => vars[k] ?? '');

  function h(tag, props = {}, ...children) {
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

  /** Text with its web links made into links (built as nodes, never as HTML). */
  function linked(text) {
    const p = h('p');
    let last = 0;
    for (const m of text.matchAll(/https?:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g)) {
      p.append(text.slice(last, m.index), h('a', { href: m[0], target: '_blank', rel: 'noopener', textContent: m[0] }));
      last = m.index + m[0].length;
    }
    p.append(text.slice(last));
    return p;
  }

  async function call(method, path, body) {
    const res = await fetch(`${HOST}/v1/widget/${encodeURIComponent(brandSlug)}${path}`, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(state.token ? { authorization: `Bearer ${state.token}` } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = res.status === 204 ? null : await res.json().catch(() => null);
    if (!res.ok) throw Object.assign(new Error(json?.error?.message ?? `HTTP ${res.status}`), { status: res.status });
    return json;
  }

  async function startSession() {
    const customerId = page.customerId ?? data.customerId;
    const customerHash = page.customerHash ?? data.customerHash;
    const saved = JSON.parse(sessionStorage.getItem(storeKey) ?? 'null');
    if (saved && new Date(saved.expires_at) > new Date(Date.now() + 60000)) Object.assign(state, saved);
    else {
      const s = await call(
        'POST',
        '/sessions',
        customerId && customerHash ? { customer_id: customerId, customer_hash: customerHash } : {},
      );
      Object.assign(state, {
        token: s.token,
        status: s.status,
        brand: s.brand,
        look: s.look,
        expires_at: s.expires_at,
        history: [],
      });
      sessionStorage.setItem(storeKey, JSON.stringify(state));
    }
    look = {
      ...state.look,
      ...pick(data, ['position', 'color', 'language']),
      ...pick(page, ['position', 'color', 'language']),
    };
    t = WORDS[look.language] ?? WORDS.en;
  }
  const pick = (o, keys) => Object.fromEntries(keys.filter((k) => o[k]).map((k) => [k, o[k]]));
  const save = () => sessionStorage.setItem(storeKey, JSON.stringify(state));

  // ---- the interface --------------------------------------------------------------------------

  function build() {
    const host = h('div', { id: 'confidant-chat' });
    if (/^#[0-9a-f]{6}$/i.test(look.color ?? '')) host.style.setProperty('--confidant-accent', look.color);
    const root = host.attachShadow({ mode: 'open' });
    const name = state.brand.name;
    const launcher = h('button', {
      type: 'button',
      class: `launcher ${look.position === 'left' ? 'left' : 'right'}`,
      'aria-expanded': 'false',
      'aria-controls': 'confidant-panel',
      textContent: `${t.chat} ${name}`,
    });
    const messages = h('ol', { class: 'messages', 'aria-live': 'polite', tabIndex: 0, 'aria-label': t.chat });
    const actions = h('div', { class: 'actions' });
    const notice = h('div', { class: 'notice', role: 'status' });
    const asks = h('div', { class: 'notice asks', hidden: true });
    const input = h('input', {
      type: 'text',
      maxLength: 2000,
      autocomplete: 'off',
      placeholder: t.placeholder,
      'aria-label': t.placeholder,
    });
    const form = h('form', { class: 'composer' }, input);
    const Recognition = window.SpeechRecognition ?? window.webkitSpeechRecognition;
    if (Recognition) {
      const mic = h('button', {
        type: 'button',
        class: 'mic',
        'aria-label': t.mic,
        title: t.mic,
        on: { click: listen },
      });
      mic.append(micIcon());
      form.append(mic);
    }
    form.append(h('button', { type: 'submit', textContent: t.send }));
    const tools = h('div', { class: 'tools' });
    if ('speechSynthesis' in window)
      tools.append(
        h(
          'label',
          {},
          h('input', { type: 'checkbox', on: { change: (e) => (speakReplies = e.target.checked) } }),
          ` ${t.speak}`,
        ),
      );
    const panel = h(
      'section',
      {
        id: 'confidant-panel',
        class: `panel ${look.position === 'left' ? 'left' : 'right'}`,
        role: 'dialog',
        'aria-label': `${t.chat} ${name}`,
        hidden: true,
      },
      h(
        'header',
        {},
        h('h2', { textContent: name }),
        h('button', {
          type: 'button',
          class: 'close',
          'aria-label': t.close,
          textContent: '×',
          on: { click: () => toggle(false) },
        }),
      ),
      notice,
      asks,
      messages,
      actions,
      form,
      tools,
    );
    root.append(h('link', { rel: 'stylesheet', href: `${HOST}/widget.css` }), launcher, panel);
    launcher.addEventListener('click', () => toggle());
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = input.value.trim();
      input.value = '';
      if (text) void send(text);
    });
    document.body.append(host);
    ui = { host, root, launcher, panel, messages, actions, notice, asks, input };

    function listen() {
      const rec = new Recognition();
      rec.lang = { de: 'de-DE', fr: 'fr-FR', es: 'es-ES' }[look.language] ?? 'en-US';
      rec.interimResults = false;
      rec.onresult = (e) => {
        const text = e.results[0][0].transcript;
        if (text) void send(text);
      };
      rec.start();
    }
  }

  function micIcon() {
    const NS = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', '18');
    svg.setAttribute('height', '18');
    svg.setAttribute('aria-hidden', 'true');
    const path = document.createElementNS(NS, 'path');
    path.setAttribute('fill', 'currentColor');
    path.setAttribute(
      'd',
      'M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11h-2z',
    );
    svg.append(path);
    return svg;
  }

  function toggle(open = ui.panel.hidden) {
    ui.panel.hidden = !open;
    ui.launcher.setAttribute('aria-expanded', String(open));
    if (open) {
      ui.input.focus();
      if (state.status === 'linked') void refresh();
    }
  }

  function addMessage(m) {
    const who =
      m.role === 'shopper' ? t.you : m.role === 'operator' ? say(t.person, { b: state.brand.name }) : state.brand.name;
    const li = h('li', { class: m.role }, h('span', { class: 'who', textContent: who }), linked(m.text));
    if (m.products?.length) {
      const cards = h('ul', { class: 'products' });
      for (const p of m.products) {
        const label = `${p.name}${p.price != null ? ` · ${new Intl.NumberFormat(undefined, { style: 'currency', currency: p.currency }).format(p.price)}` : ''}`;
        const url = (page.productUrl ?? data.productUrl)?.replace('{id}', encodeURIComponent(p.product_id));
        const open = () => void call('POST', '/clicks', { product_id: p.product_id }).catch(() => {});
        cards.append(
          h(
            'li',
            {},
            url ? h('a', { href: url, textContent: label, on: { click: open } }) : h('span', { textContent: label }),
          ),
        );
      }
      li.append(cards);
    }
    const usedNow = (m.used_facts ?? []).filter(
      (f) => !/^(retired:|confirmed|forgotten)/.test(f.used_for ?? '') && !retired.has(f.id),
    );
    if (m.role === 'assistant' && usedNow.length && !m.creepy) {
      li.append(
        h('button', {
          type: 'button',
          class: 'creepy',
          textContent: t.creepy,
          on: {
            click: (e) => {
              e.target.remove();
              m.creepy = true;
              void send(t.creepyText);
            },
          },
        }),
      );
    }
    ui.messages.append(li);
    li.scrollIntoView?.({ block: 'nearest' });
  }

  function showActions(list) {
    ui.actions.replaceChildren(
      ...list.map((a) => h('button', { type: 'button', textContent: a.label, on: { click: () => send(a.value) } })),
    );
  }

  function showNotice() {
    ui.notice.replaceChildren();
    if (state.status === 'unlinked')
      ui.notice.append(
        h('p', { textContent: say(t.link, { b: state.brand.name }) }),
        h('button', { type: 'button', textContent: t.linkButton, on: { click: link } }),
      );
    else if (state.handoff?.status === 'open')
      ui.notice.append(h('p', { class: 'handoff', textContent: say(t.waiting, { b: state.brand.name }) }));
    ui.notice.hidden = ui.notice.childElementCount === 0;
    clearTimeout(pollTimer);
    if (state.handoff?.status === 'open') pollTimer = setTimeout(() => void refresh(), Number(page.pollMs ?? 4000));
  }

  async function link() {
    const { url } = await call('POST', '/link');
    window.open(url, '_blank', 'noopener');
  }

  let shown = 0;
  /** Facts whose use the customer already objected to: their replies lose the "too creepy" button. */
  const retired = new Set();
  async function refresh() {
    if (state.status !== 'linked') return;
    const r = await call('GET', '/messages');
    state.handoff = r.handoff;
    if (r.messages.length !== shown) {
      for (const m of r.messages)
        for (const f of m.used_facts ?? []) if (/^retired:/.test(f.used_for ?? '')) retired.add(f.id);
      ui.messages.replaceChildren();
      for (const m of r.messages) {
        addMessage(m);
        if (m.role !== 'shopper' && shown > 0) emit('message', { role: m.role, text: m.text });
      }
      showActions(r.messages.at(-1)?.role === 'assistant' ? r.messages.at(-1).actions : []);
      shown = r.messages.length;
    }
    showNotice();
  }

  async function send(text) {
    if (!ui) return;
    toggle(true);
    const mine = { role: 'shopper', text };
    addMessage(mine);
    showActions([]);
    try {
      const views = JSON.parse(sessionStorage.getItem(`${storeKey}:viewed`) ?? '[]');
      const turn = await call('POST', '/messages', { text, ...(views.length ? { session_items: views } : {}) });
      for (const f of turn.used_facts) if (/^retired:/.test(f.used_for ?? '')) retired.add(f.id);
      const reply = { role: 'assistant', text: turn.reply.text, used_facts: turn.used_facts, products: turn.products };
      addMessage(reply);
      showActions(turn.reply.actions);
      state.handoff = turn.handoff;
      if (state.status === 'linked') shown += 2;
      else {
        state.history = [...(state.history ?? []), mine, reply].slice(-30);
        save();
      }
      showNotice();
      if (speakReplies) speechSynthesis.speak(new SpeechSynthesisUtterance(turn.reply.text));
      emit('message', { role: 'assistant', text: turn.reply.text, intent: turn.intent });
    } catch {
      addMessage({ role: 'assistant', text: t.failed });
    }
  }

  function askConsent({ scope, purpose, reason }) {
    if (!ui) return;
    toggle(true);
    if (state.status !== 'linked') return showNotice();
    const card = h(
      'div',
      { class: 'consent' },
      h('p', {
        textContent: `${say(t.asks, { b: state.brand.name, s: SCOPES[scope] ?? scope, p: PURPOSES[purpose] ?? purpose })}${reason ? ` ${reason}` : ''}`,
      }),
      h('button', {
        type: 'button',
        textContent: t.allow,
        on: {
          click: async () => {
            card.remove();
            ui.asks.hidden = ui.asks.childElementCount === 0;
            await call('POST', '/consent', { scope, purpose });
            emit('message', { role: 'system', text: 'consent', scope, purpose, granted: true });
          },
        },
      }),
      h('button', {
        type: 'button',
        class: 'quiet',
        textContent: t.notNow,
        on: {
          click: () => {
            card.remove();
            ui.asks.hidden = ui.asks.childElementCount === 0;
          },
        },
      }),
    );
    ui.asks.hidden = false;
    ui.asks.append(card);
  }

  window.Confidant = {
    on: (name, fn) => listeners[name]?.push(fn),
    open: () => toggle(true),
    close: () => toggle(false),
    send: (text) => send(text),
    askConsent,
    /** The visitor looked at a product: anonymous suggestions go with it. */
    viewed(productId) {
      const key = `${storeKey}:viewed`;
      const list = JSON.parse(sessionStorage.getItem(key) ?? '[]').filter((x) => x !== productId);
      sessionStorage.setItem(key, JSON.stringify([...list, productId].slice(-20)));
    },
  };

  async function init() {
    try {
      await startSession();
    } catch (err) {
      console.warn('Confidant chat could not start:', err.message);
      return;
    }
    build();
    if (state.status === 'linked') await refresh();
    else for (const m of state.history ?? []) addMessage(m);
    showNotice();
    emit('ready', { brand: state.brand, status: state.status });
  }

  // After the page: the shop's own content comes first.
  if (document.readyState === 'complete') setTimeout(init, 0);
  else window.addEventListener('load', () => setTimeout(init, 0), { once: true });
})();
