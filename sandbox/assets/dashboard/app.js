// Smart Enroll sandbox dashboard. Plain modern JavaScript, no framework, no build step.
//
// The client token lives in sessionStorage only and goes to this server as an
// `Authorization: Bearer` header on every call: never in a URL, a cookie or a log. Images
// are fetched with that header and shown from blob: URLs. The page polls
// GET /sandbox/changes every second and reloads what it shows when the counter moves.
'use strict';

(() => {
  const KEY = 'smart-enroll-dashboard-token';
  const POLL_MS = 1000;
  const STATUSES = ['STARTED', 'ONGOING', 'COMPLETED', 'COMPLETED_WITHOUT_KYC', 'FAILED',
    'NEEDS_MANUAL_VERIFICATION', 'EXPIRED'];

  const S = {
    token: null,
    seq: null,
    selected: null,
    tab: 'registrations',
    dev: false,
    projects: [],
    filters: { status: '', project: '', flow: '' },
    timer: null,
    busy: false,
    again: false,
    blobs: new Map(), // image path -> blob: URL
    openWebhooks: new Set(),
    last: {}, // what each panel last rendered (JSON), see changed()
    epoch: 0, // bumped at sign-out: answers of an older session are dropped
  };

  class AuthError extends Error {}

  const $ = (id) => document.getElementById(id);

  // Builds an element: el('td', {class: 'x', dataset: {step: 'email'}}, 'text', child, ...).
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'dataset') Object.assign(e.dataset, v);
      else if (k === 'on') for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
      else if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const kid of kids.flat()) {
      if (kid === null || kid === undefined || kid === false) continue;
      e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return e;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  async function api(path) {
    const epoch = S.epoch;
    const res = await fetch(path, {
      headers: { Authorization: 'Bearer ' + S.token, Accept: 'application/json' },
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
    if (epoch !== S.epoch) throw new AuthError('signed out');
    if (res.status === 401 || res.status === 403) throw new AuthError('refused');
    if (!res.ok) {
      const err = new Error('HTTP ' + res.status);
      err.status = res.status;
      throw err;
    }
    return (await res.json()).data;
  }

  async function imageUrl(path) {
    if (S.blobs.has(path)) return S.blobs.get(path);
    const epoch = S.epoch;
    const res = await fetch(path, {
      headers: { Authorization: 'Bearer ' + S.token },
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
    if (epoch !== S.epoch) throw new AuthError('signed out');
    if (res.status === 401 || res.status === 403) throw new AuthError('refused');
    if (!res.ok) throw new Error('HTTP ' + res.status);
    const url = URL.createObjectURL(await res.blob());
    S.blobs.set(path, url);
    return url;
  }

  // ------------------------------------------------------------------ formatting

  function when(s) {
    if (!s) return '';
    const d = new Date(s);
    if (Number.isNaN(d.getTime())) return String(s);
    return d.toLocaleString(undefined, { hour12: false });
  }

  function shortWhen(s) {
    const d = new Date(s);
    if (!s || Number.isNaN(d.getTime())) return s || '';
    return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit',
      minute: '2-digit', second: '2-digit', hour12: false });
  }

  function statusClass(s) {
    const v = String(s || '').toUpperCase();
    if (/^(COMPLETED|COMPLETED_WITHOUT_KYC|VALIDATED|ACTIVE|PASSED|DELIVERED|CREATED|SUCCESS|APPROVED|MATCH)/.test(v)) return 'ok';
    if (/(FAIL|REJECT|EXPIRED|ERROR|NOT_ACCEPTABLE|INVALID|NO_MATCH)/.test(v)) return 'bad';
    if (/(MANUAL|REVIEW|RETRYING|WARN)/.test(v)) return 'warn';
    if (/^NOT_STARTED/.test(v)) return 'idle';
    return 'run';
  }

  function badge(s) {
    return el('span', { class: 'badge ' + statusClass(s) }, String(s || '—'));
  }

  function score(v) {
    return typeof v === 'number' ? v.toFixed(2) : '';
  }

  function flowName(id) {
    for (const p of S.projects) {
      for (const f of p.flows) if (f.id === id) return (f.name || 'flow') + ' · ' + p.name;
    }
    return id;
  }

  // Scalar fields of an object, flattened one level deep ("ocrExtraction.firstName").
  function fields(obj, skip) {
    const out = [];
    const walk = (o, prefix, depth) => {
      for (const [k, v] of Object.entries(o || {})) {
        const name = prefix ? prefix + '.' + k : k;
        if ((skip || []).includes(k) || /url$/i.test(k) || /image$/i.test(k)) continue;
        if (v && typeof v === 'object' && !Array.isArray(v)) {
          if (depth < 2) walk(v, name, depth + 1);
        } else if (Array.isArray(v)) {
          if (v.every((x) => x === null || typeof x !== 'object')) out.push([name, v.join(', ')]);
        } else if (v !== null && v !== '') {
          out.push([name, String(v)]);
        }
      }
    };
    walk(obj, '', 0);
    return out;
  }

  function kvTable(rows) {
    if (!rows.length) return el('p', { class: 'muted' }, 'Nothing recorded.');
    return el('table', { class: 'kv' },
      el('tbody', null, rows.map(([k, v]) => el('tr', null, el('th', null, k), el('td', null, v)))));
  }

  // ------------------------------------------------------------------ sign-in

  function showSignIn(message) {
    $('signin').hidden = false;
    $('session').hidden = true;
    const app = clear($('app'));
    app.hidden = true;
    const err = $('signin-error');
    err.hidden = !message;
    err.textContent = message || '';
    $('token').focus();
  }

  function signOut(message) {
    S.epoch += 1;
    S.token = null;
    S.seq = null;
    S.selected = null;
    S.dev = false;
    S.projects = [];
    clearTimeout(S.timer);
    sessionStorage.removeItem(KEY);
    for (const url of S.blobs.values()) URL.revokeObjectURL(url);
    S.blobs.clear();
    showSignIn(message);
  }

  async function signIn(token) {
    S.token = token;
    try {
      await api('/sandbox/changes');
    } catch (e) {
      S.token = null;
      sessionStorage.removeItem(KEY);
      showSignIn(e instanceof AuthError
        ? 'The server refused this token: use the client token printed by smart-enroll serve.'
        : 'The server could not be reached (' + e.message + ').');
      return;
    }
    sessionStorage.setItem(KEY, token);
    $('signin').hidden = true;
    $('session').hidden = false;
    buildApp();
    S.seq = null;
    tick();
  }

  // ------------------------------------------------------------------ layout

  function buildApp() {
    S.last = {};
    const app = clear($('app'));
    const tabs = el('nav', { class: 'tabs', id: 'tabs' },
      el('button', { type: 'button', dataset: { tab: 'registrations' } }, 'Registrations'),
      el('button', { type: 'button', dataset: { tab: 'projects' } }, 'Projects & flows'));
    tabs.addEventListener('click', (ev) => {
      const b = ev.target.closest('button[data-tab]');
      if (b) selectTab(b.dataset.tab);
    });
    const statusSel = el('select', { id: 'filter-status', 'aria-label': 'Status' },
      el('option', { value: '' }, 'All statuses'), STATUSES.map((s) => el('option', { value: s }, s)));
    const projectSel = el('select', { id: 'filter-project', 'aria-label': 'Project' },
      el('option', { value: '' }, 'All projects'));
    const flowSel = el('select', { id: 'filter-flow', 'aria-label': 'Flow' },
      el('option', { value: '' }, 'All flows'));
    for (const [sel, key] of [[statusSel, 'status'], [projectSel, 'project'], [flowSel, 'flow']]) {
      sel.addEventListener('change', () => {
        S.filters[key] = sel.value;
        if (key === 'project') { S.filters.flow = ''; fillFilters(); }
        refresh();
      });
    }
    const regs = el('section', { id: 'panel-registrations', class: 'panel split', dataset: { panel: 'registrations' } },
      el('div', { class: 'list card' },
        el('div', { class: 'filters' }, statusSel, projectSel, flowSel),
        el('table', { class: 'rows' },
          el('thead', null, el('tr', null, ['Status', 'Registration', 'Contact', 'Flow', 'Step', 'Created']
            .map((h) => el('th', null, h)))),
          el('tbody', { id: 'rows' })),
        el('p', { id: 'rows-empty', class: 'muted', hidden: true }, 'No registrations yet. Run smart-enroll enroll against this server and it appears here.')),
      el('div', { id: 'detail', class: 'detail card' },
        el('p', { class: 'muted' }, 'Select a registration to see its step trail, images and webhooks.')));
    const projects = el('section', { id: 'panel-projects', class: 'panel', dataset: { panel: 'projects' }, hidden: true });
    app.append(tabs, regs, projects);
    app.hidden = false;
    selectTab(S.tab);
  }

  function ensureOutboxPanel() {
    if ($('outbox')) return;
    $('tabs').append(el('button', { type: 'button', dataset: { tab: 'outbox' } }, 'OTP outbox (dev)'));
    $('app').append(el('section', { id: 'outbox', class: 'panel', dataset: { panel: 'outbox' }, hidden: true }));
    selectTab(S.tab);
  }

  function selectTab(tab) {
    S.tab = tab;
    for (const b of document.querySelectorAll('#tabs button')) {
      b.classList.toggle('active', b.dataset.tab === tab);
    }
    const panels = { registrations: 'panel-registrations', projects: 'panel-projects', outbox: 'outbox' };
    for (const [name, id] of Object.entries(panels)) {
      const p = $(id);
      if (p) p.hidden = name !== tab;
    }
  }

  function fillFilters() {
    const ps = $('filter-project');
    const fs = $('filter-flow');
    if (!ps || !fs) return;
    const keep = (sel, value, options) => {
      clear(sel).append(...options);
      sel.value = value;
      if (sel.value !== value) sel.value = '';
    };
    keep(ps, S.filters.project, [el('option', { value: '' }, 'All projects'),
      ...S.projects.map((p) => el('option', { value: p.id }, p.name))]);
    const flows = S.projects.filter((p) => !S.filters.project || p.id === S.filters.project)
      .flatMap((p) => p.flows.map((f) => [f, p]));
    keep(fs, S.filters.flow, [el('option', { value: '' }, 'All flows'),
      ...flows.map(([f, p]) => el('option', { value: f.id }, (f.name || f.id) + ' · ' + p.name))]);
  }

  // ------------------------------------------------------------------ data

  function tick() {
    clearTimeout(S.timer);
    const epoch = S.epoch;
    (async () => {
      try {
        const { seq } = await api('/sandbox/changes');
        $('live').classList.remove('offline');
        if (seq !== S.seq) {
          S.seq = seq;
          await refresh();
        }
      } catch (e) {
        if (e instanceof AuthError) {
          if (epoch === S.epoch) signOut('The server no longer accepts this token.');
          return;
        }
        const live = $('live');
        if (live) live.classList.add('offline');
      }
      if (epoch === S.epoch) S.timer = setTimeout(tick, POLL_MS);
    })();
  }

  async function refresh() {
    if (S.busy) {
      S.again = true;
      return;
    }
    S.busy = true;
    try {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(S.filters)) if (v) q.set(k, v);
      const [projects, list] = await Promise.all([
        api('/sandbox/projects'),
        api('/sandbox/registrations' + (q.toString() ? '?' + q : '')),
      ]);
      S.projects = projects;
      fillFilters();
      renderRows(list);
      renderProjects();
      if (S.selected) await loadDetail(S.selected);
      await loadOutbox();
    } catch (e) {
      if (e instanceof AuthError) throw e;
      S.seq = null; // try again at the next tick
      const live = $('live');
      if (live) live.classList.add('offline');
    } finally {
      S.busy = false;
    }
    if (S.again) {
      S.again = false;
      await refresh();
    }
  }

  async function loadOutbox() {
    try {
      const items = await api('/sandbox/outbox/recent');
      S.dev = true;
      ensureOutboxPanel();
      renderOutbox(items);
    } catch (e) {
      if (e instanceof AuthError) throw e;
      if (e.status !== 404) throw e;
      S.dev = false; // no --dev: no outbox panel at all
    }
  }

  // Renders only what changed, so that a poll with nothing new leaves the page alone.
  function changed(key, value) {
    const text = JSON.stringify(value);
    if (S.last[key] === text) return false;
    S.last[key] = text;
    return true;
  }

  function renderRows(list) {
    const body = $('rows');
    if (!body || !changed('rows', [list, S.selected, S.projects])) return;
    clear(body);
    for (const r of list.items) {
      const tr = el('tr', {
        tabindex: 0,
        class: r.id === S.selected ? 'selected' : null,
        dataset: { registrationId: r.id, status: r.status },
        on: {
          click: () => select(r.id),
          keydown: (ev) => { if (ev.key === 'Enter') select(r.id); },
        },
      },
      el('td', null, badge(r.status)),
      el('td', { class: 'mono', title: r.id }, '…' + r.id.slice(-10)),
      el('td', null, [r.email, r.phone].filter(Boolean).map((c) => el('div', { class: 'nowrap' }, c))),
      el('td', { title: flowName(r.projectFlow) }, flowName(r.projectFlow).split(' · ')[0]),
      el('td', null, r.currentStep),
      el('td', { class: 'nowrap' }, shortWhen(r.createdAt)));
      body.append(tr);
    }
    $('rows-empty').hidden = list.items.length > 0;
  }

  async function select(id) {
    S.selected = id;
    for (const tr of document.querySelectorAll('#rows tr')) {
      tr.classList.toggle('selected', tr.dataset.registrationId === id);
    }
    try {
      await loadDetail(id);
    } catch (e) {
      if (e instanceof AuthError) signOut('The server no longer accepts this token.');
    }
  }

  async function loadDetail(id) {
    let d;
    try {
      d = await api('/sandbox/registrations/' + encodeURIComponent(id));
    } catch (e) {
      if (e.status === 404) {
        S.selected = null;
        return;
      }
      throw e;
    }
    if (S.selected !== id) return;
    renderDetail(d);
  }

  // ------------------------------------------------------------------ detail

  function renderDetail(d) {
    const box = $('detail');
    if (!box || !changed('detail', d)) return;
    for (const det of box.querySelectorAll('details[data-webhook-id]')) {
      if (det.open) S.openWebhooks.add(det.dataset.webhookId);
      else S.openWebhooks.delete(det.dataset.webhookId);
    }
    const r = d.registration;
    const trail = el('ol', { class: 'trail', id: 'trail' }, d.steps.map((s) =>
      el('li', { class: 'step ' + statusClass(s.status), dataset: { step: s.step, status: s.status } },
        el('div', { class: 'step-head' }, el('strong', null, s.step), badge(s.status)),
        el('div', { class: 'step-meta' },
          s.attempts !== null && s.attempts !== undefined
            ? el('span', null, (s.step === 'email' || s.step === 'phone' ? 'wrong codes ' : 'attempts ') + s.attempts) : null,
          typeof s.score === 'number' ? el('span', null, 'score ' + score(s.score) +
            (typeof s.minScore === 'number' ? ' (min ' + score(s.minScore) + ')' : '')) : null,
          s.passed === true ? el('span', null, 'passed') : s.passed === false ? el('span', null, 'not passed') : null,
          s.step === 'registration' ? el('span', null, flowName(r.projectFlow))
            : s.detail ? el('span', null, s.detail) : null),
        el('div', { class: 'step-time' },
          s.startedAt ? el('time', { datetime: s.startedAt }, when(s.startedAt)) : null,
          s.updatedAt && s.updatedAt !== s.startedAt ? el('span', null, ' → ', el('time', { datetime: s.updatedAt }, when(s.updatedAt))) : null))));

    const images = el('div', { class: 'images', id: 'images' }, d.images.length ? d.images.map((im) => {
      const img = el('img', { alt: im.kind, dataset: { imageKind: im.kind } });
      imageUrl(im.url).then((u) => { img.src = u; }).catch(() => { img.alt = im.kind + ' (could not load)'; });
      return el('figure', null, img, el('figcaption', null, im.kind));
    }) : el('p', { class: 'muted' }, 'No images uploaded yet.'));

    const doc = d.document;
    const ocrKey = doc ? Object.keys(doc).find((k) => k.toLowerCase() === 'ocrextraction') : null;
    const docRows = doc ? fields(doc, ['_id', 'appRegistration', 'project', 'nameValidation', ocrKey, 'documentFace']) : [];
    const ocr = ocrKey && doc[ocrKey] ? fields(doc[ocrKey]) : [];
    const names = doc && doc.nameValidation ? fields(doc.nameValidation, ['_id']) : [];
    const bg = d.backgroundCheck ? fields(d.backgroundCheck, ['_id', 'appRegistration']) : [];

    const hooks = el('div', { class: 'webhooks', id: 'webhooks' }, d.webhooks.length ? d.webhooks.map((w) =>
      el('details', { dataset: { webhookEvent: w.event, webhookId: String(w.id), state: w.state }, open: S.openWebhooks.has(String(w.id)) },
        el('summary', null,
          el('span', { class: 'mono' }, w.event), ' ', badge(w.state),
          el('span', { class: 'muted' }, ' attempts ' + w.attempts +
            ' · HTTP ' + (w.httpStatus === null || w.httpStatus === undefined ? '—' : w.httpStatus) +
            (w.error ? ' · ' + w.error : '') + ' · ' + when(w.createdAt))),
        el('pre', null, JSON.stringify(w.payload, null, 2)))) :
      el('p', { class: 'muted' }, 'No webhook events (the flow has no webhookUrl, or none fired yet).'));

    clear(box).append(
      el('div', { class: 'detail-head' },
        el('h2', null, 'Registration ', el('span', { class: 'mono' }, r.id)), badge(r.status)),
      el('p', { class: 'muted' }, [r.email, r.phone].filter(Boolean).join(' · '), ' · ', flowName(r.projectFlow),
        ' · created ', when(r.createdAt), ' · updated ', when(r.updatedAt)),
      el('h3', null, 'Step trail'), trail,
      el('h3', null, 'Images'), images,
      el('div', { class: 'cols' },
        el('div', null, el('h3', null, 'Document'), kvTable(docRows)),
        el('div', null, el('h3', null, 'OCR fields'), kvTable(ocr))),
      el('div', { class: 'cols' },
        el('div', null, el('h3', null, 'Name validation'), kvTable(names)),
        el('div', null, el('h3', null, 'Background (criminal) check'), kvTable(bg))),
      el('h3', null, 'Webhook deliveries'), hooks);
  }

  // ------------------------------------------------------------------ projects and outbox

  function renderProjects() {
    const box = $('panel-projects');
    if (!box || !changed('projects', S.projects)) return;
    clear(box);
    if (!S.projects.length) {
      box.append(el('p', { class: 'card muted' }, 'No projects yet: smart-enroll setup creates one.'));
      return;
    }
    for (const p of S.projects) {
      box.append(el('div', { class: 'card project', dataset: { projectId: p.id } },
        el('h2', null, p.name, ' ', el('span', { class: 'mono muted' }, p.id)),
        p.flows.length ? el('table', { class: 'rows' },
          el('thead', null, el('tr', null, ['Flow', 'Status', 'Steps', 'Modes', 'Webhook'].map((h) => el('th', null, h)))),
          el('tbody', null, p.flows.map((f) => el('tr', { dataset: { flowId: f.id } },
            el('td', null, f.name || '—', el('div', { class: 'mono muted' }, f.id)),
            el('td', null, badge(f.status)),
            el('td', null, Object.entries(f.steps).map(([k, v]) => el('span', { class: 'pill ' + v }, k + ': ' + v))),
            el('td', null, Object.entries(f.modes).filter(([, v]) => v !== null).map(([k, v]) => el('div', null, k + ': ' + v))),
            el('td', null, f.hasWebhook ? 'yes' : 'no'))))) :
          el('p', { class: 'muted' }, 'No flows.')));
    }
  }

  function renderOutbox(items) {
    const box = $('outbox');
    if (!box || !changed('outbox', items)) return;
    clear(box).append(el('div', { class: 'card' },
      el('h2', null, 'OTP outbox'),
      el('p', { class: 'muted' }, 'Codes the sandbox "sent" (only with --dev), newest first.'),
      items.length ? el('table', { class: 'rows' },
        el('thead', null, el('tr', null, ['Sent', 'Channel', 'To', 'Code', 'Registration'].map((h) => el('th', null, h)))),
        el('tbody', null, items.map((o) => el('tr', { dataset: { outboxChannel: o.channel } },
          el('td', null, when(o.createdAt)), el('td', null, o.channel), el('td', null, o.to),
          el('td', { class: 'mono code' }, o.code), el('td', { class: 'mono' }, o.registration))))) :
        el('p', { class: 'muted' }, 'No codes sent yet.')));
  }

  // ------------------------------------------------------------------ start

  function start() {
    // A token must never sit in the address bar: drop any query or fragment.
    if (location.search || location.hash) history.replaceState(null, '', location.pathname);
    $('signin-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const input = $('token');
      const token = input.value.trim();
      input.value = '';
      if (token) signIn(token);
    });
    $('sign-out').addEventListener('click', () => signOut(''));
    const saved = sessionStorage.getItem(KEY);
    if (saved) signIn(saved);
    else showSignIn('');
  }

  start();
})();
