// A stand-in for the Rust shell, for browser tests of the built UI: every
// command the window invokes, answered from memory. Loaded as a classic
// script before the page (page.addInitScript), after @tauri-apps/api/mocks.
// window.__hearthFake exposes the state and a log of calls to the tests.
/* global window */
(function () {
  'use strict';
  const scenario = window.__hearthScenario || {};
  const mocks = window.__tauriMocks;
  const DAY = 86400000;
  const RECOVERY_KEY = 'K7QF-2M9X-C4RT-8HZW-P3JN-6VBD-Y5GS-A1EL-0KQM';
  const hex = () =>
    Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  // Attachments (hearth-core attachments.rs): named by a content hash, 64
  // hex digits; here a hash of whatever stands for the content.
  const MAX = 100 * 1024 * 1024;
  const contentId = (text) => {
    let out = '';
    for (let round = 0; round < 8; round++) {
      let h = 0x811c9dc5 ^ round;
      for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
      out += h.toString(16).padStart(8, '0');
    }
    return out;
  };
  const humanSize = (n) => {
    const units = ['B', 'KiB', 'MiB', 'GiB'];
    let v = n;
    let u = 0;
    while (v >= 1024 && u < 3) {
      v /= 1024;
      u += 1;
    }
    return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
  };
  const attachment = (name, media_type, size, content = name) => ({
    id: contentId(content), name, media_type, size, added_at: new Date().toISOString(),
  });
  // What the fake's disk holds, for the file dialog and drops.
  const DISK = {
    '/home/test/Pictures/harbour.jpg': { type: 'image/jpeg', size: 3_145_728 },
    '/home/test/Pictures/boats.png': { type: 'image/png', size: 812_004 },
    '/home/test/Documents/tide-times.pdf': { type: 'application/pdf', size: 48_213 },
    '/home/test/Videos/holiday.mov': { type: 'video/quicktime', size: 157_286_400 },
  };

  const seed = () => {
    const now = Date.now();
    const at = (daysAgo, hour) => {
      const d = new Date(now - daysAgo * DAY);
      d.setHours(hour, 15, 0, 0);
      return d.toISOString();
    };
    const lastYear = new Date();
    lastYear.setFullYear(lastYear.getFullYear() - 1);
    lastYear.setHours(20, 0, 0, 0);
    const e = (title, body, mood, feelings, tags, createdAt, more = {}) => ({
      id: hex(), title, body, mood, feelings, tags, starred: false, createdAt, updatedAt: createdAt, trashed: false,
      attachments: [], place: null, weather: null, timeZone: null, timeThere: null, ...more,
    });
    const tulips = attachment('tulips.jpg', 'image/jpeg', 2_411_520);
    const packet = attachment('seed packet.png', 'image/png', 301_112);
    return [
      e('Morning walk', 'Walked by the **river** before work. The light on the water was soft and I felt lighter.', 4, ['calm'], ['walk'], at(0, 8)),
      e('', 'Long meeting. Tired but it went fine in the end.', 3, ['tired'], ['work'], at(0, 13)),
      e('Rain', 'Rain all evening. Read a book, made soup.', 4, ['content'], [], at(1, 21)),
      e('Hard day', 'Everything felt heavy today. Called my sister, which helped a little.', 2, ['anxious', 'lonely'], ['family'], at(3, 22)),
      e('Garden', `Planted the tulip bulbs. Hopeful for spring.\n\n![The tulip bed](attachment:${tulips.id})`, 5, ['hopeful'], ['garden'], at(9, 17), {
        attachments: [tulips, packet],
        place: { name: 'Allotment 14, Hackney, London', latitude: 51.5432, longitude: -0.0551 },
        weather: '11 °C, light rain',
        timeZone: 'Europe/London',
        timeThere: `${at(9, 17).slice(0, 10)} 17:15 in Europe/London (UTC+00:00)`,
      }),
      e('Quiet Sunday', 'Nothing much happened, and that was good.', 4, ['calm'], [], at(20, 11)),
      e('Worry dump', '- rent\n- the exam\n- whether I said the wrong thing', 2, ['anxious'], ['worry'], at(40, 23)),
      e('A year ago today', 'Moved into the new flat. Boxes everywhere.', 3, ['overwhelmed'], ['home'], lastYear.toISOString()),
    ];
  };

  const defaults = {
    prefs: {
      theme: 'light', autoLockMinutes: 10, dailyBudgetMinutes: 0,
      feelings: ['calm', 'grateful', 'hopeful', 'content', 'tired', 'anxious', 'sad', 'lonely', 'angry', 'overwhelmed'],
    },
    aids: {
      prompts: [
        { kind: 'gratitude', text: 'What is one small thing that went well today?' },
        { kind: 'reflection', text: 'What took most of your energy today?' },
      ],
      templates: [{ name: 'Evening check-in', body: '## How I feel\n\n\n## One good thing\n\n' }],
    },
    lines: {
      lines: [
        { region: 'United Kingdom and Ireland', name: 'Samaritans', contact: '116 123', note: 'Free, 24 hours, any day.' },
        { region: 'United States', name: '988 Suicide & Crisis Lifeline', contact: 'Call or text 988', note: 'Free, confidential, 24 hours.' },
      ],
    },
  };

  const state = {
    hasJournal: scenario.journal !== 'none',
    unlocked: scenario.journal === 'unlocked',
    passphrase: scenario.passphrase || 'correct horse battery',
    entries: scenario.empty ? [] : seed(),
    prefs: { ...JSON.parse(JSON.stringify(defaults.prefs)), theme: scenario.theme || 'light' },
    aids: JSON.parse(JSON.stringify(defaults.aids)),
    lines: JSON.parse(JSON.stringify(defaults.lines)),
    recoveryKey: RECOVERY_KEY,
    // This device first, as the core lists them; nothing has synced yet.
    devices: [
      { id: '5f1c3a9e' + '7b2d4c6e'.repeat(7), name: 'fern-laptop', this_device: true, last_seen: null, last_synced: null },
      { id: 'a07e91d2' + '03f5e8b1'.repeat(7), name: 'old-desktop', this_device: false, last_seen: null, last_synced: null },
    ],
    // The core's network settings, and where sync stands with each other
    // device (tests change these, then emit a notice).
    net: { offline: false, relay: 'off', lan_discovery: true, sync_windows: [] },
    figures: {
      ['a07e91d2' + '03f5e8b1'.repeat(7)]: { last_synced: null, equal_then: null, unconfirmed: 0 },
    },
    nodeFailed: false,
    // Circles as the core keeps them: charter, members (the person, by
    // their identity key, marked `you`), key epoch.
    circles: [],
    // Entries shared with circles (each version in place, `unshared` once
    // stopped), their replies, and each circle's last visit: `tick` counts
    // every share and reply, a visit remembers the tick it saw.
    shared: [],
    visits: {},
    // Moderation (hearth-core circle_moderation.rs, circle_notes.rs): who
    // the person muted per circle (member ids), reports made, and the
    // person's away note.
    muted: {},
    reports: [],
    away: null,
    tick: 0,
    invite: null,
    /** Code questions the fake itself asked (joining), by id. */
    waiting: {},
    nextQuestion: 1,
    calls: [],
    delay: scenario.delay || 0,
    // Files on the fake disk; what the next open dialog returns (tests set
    // it); copies saved.
    disk: JSON.parse(JSON.stringify(DISK)),
    nextOpen: undefined,
    saved: [],
  };

  const err = (kind, message) => ({ kind, message });
  const live = () => state.entries.filter((e) => !e.trashed).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  const excerpt = (b) =>
    b.replace(/!\[[^\]\n]*\]\([^)\n]*\)/g, '').replace(/\[([^\]\n]*)\]\([^)\n]*\)/g, '$1')
      .replace(/[#>*_`[\]-]/g, '').replace(/\s+/g, ' ').trim().slice(0, 180);
  const thumbnailed = (a) => ['image/jpeg', 'image/png', 'image/gif', 'image/webp'].includes(a.media_type);
  const summary = (e) => ({
    id: e.id, title: e.title, excerpt: excerpt(e.body), mood: e.mood, feelings: e.feelings, tags: e.tags,
    starred: e.starred, createdAt: e.createdAt, attachments: (e.attachments ?? []).length,
    thumbnail: (e.attachments ?? []).find(thumbnailed)?.id ?? null,
  });
  const view = (e) => ({
    id: e.id, title: e.title, body: e.body, mood: e.mood, feelings: e.feelings, tags: e.tags, starred: e.starred,
    createdAt: e.createdAt, updatedAt: e.updatedAt, trashed: e.trashed, attachments: [...(e.attachments ?? [])],
    place: e.place ?? null, weather: e.weather ?? null, timeZone: e.timeZone ?? null, timeThere: e.timeThere ?? null,
  });
  const pad2 = (n) => String(n).padStart(2, '0');
  const minutes = (t) => {
    const m = /^(\d{2}):(\d{2})$/.exec(t.trim());
    return m && Number(m[1]) < 24 && Number(m[2]) < 60 ? Number(m[1]) * 60 + Number(m[2]) : null;
  };
  // Where the node is, from the settings, as the core says it.
  const node = () => {
    if (state.net.offline) return { state: 'offline', pid: 4242, opens_at: null, ticket: null };
    if (state.net.sync_windows.length > 0) {
      const now = new Date();
      const at = new Date(now);
      const w = state.net.sync_windows[0];
      at.setHours(Math.floor(w.start / 60), w.start % 60, 0, 0);
      if (at <= now) at.setDate(at.getDate() + 1);
      return { state: 'waiting', pid: 4242, opens_at: at.toISOString(), ticket: null };
    }
    return { state: 'running', pid: 4242, opens_at: null, ticket: 'endpointfake' };
  };
  const syncStatus = () => ({
    node: node(),
    devices: state.devices
      .filter((d) => !d.this_device)
      .map((d) => ({ id: d.id, name: d.name, last_seen: d.last_seen, ...(state.figures[d.id] || { last_synced: null, equal_then: null, unconfirmed: 0 }) })),
  });
  const closedWhy = () =>
    state.net.offline ? 'the node is closed: offline mode is on' : 'the node is closed: it is outside the sync windows';
  const localDay = (iso) => {
    const d = new Date(iso);
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  };
  const filtered = (q) =>
    live().filter(
      (e) =>
        (!q.tag || e.tags.some((t) => t.toLowerCase() === q.tag.toLowerCase())) &&
        (!q.mood || e.mood === q.mood) &&
        (!q.from || localDay(e.createdAt) >= q.from) &&
        (!q.to || localDay(e.createdAt) <= q.to),
    );
  const need = () => {
    if (!state.unlocked) throw err('locked', 'the journal is locked: unlock it with your passphrase');
  };
  const find = (id) => {
    const e = state.entries.find((x) => x.id === id);
    if (!e) throw err('notFound', `no entry with id ${id}`);
    e.attachments ??= [];
    return e;
  };
  // The core's circle checks (hearth-core circles.rs), with its words; a
  // line is 1 to 100 bytes with no control character.
  const ME = 'e1d2c3b4'.repeat(8);
  const utf8 = (t) => new TextEncoder().encode(t).length;
  const badLine = (t) => !t.trim() || utf8(t) > 100 || /\p{Cc}/u.test(t);
  const roleOf = (c) => (c.left ? null : c.role ?? 'owner');
  const circleSummary = (c) => ({ id: c.id, name: c.name, role: roleOf(c) });
  const adminOf = (circle, to) => {
    const c = findCircle(circle);
    if (!['owner', 'admin'].includes(roleOf(c))) {
      throw err('invalid', `only the admins of ${JSON.stringify(c.name)} ${to}, and you are not one; nothing was changed`);
    }
    return c;
  };
  const findMember = (c, member) => {
    const w = String(member).trim().toLowerCase();
    if (w === ME || w === (c.asName ?? '').toLowerCase()) return { id: ME, name: c.asName, role: roleOf(c), you: true };
    const m = (c.others ?? []).find((o) => (w.length >= 4 && o.id.startsWith(w)) || o.name.toLowerCase() === w);
    if (!m) throw err('invalid', `no member of ${JSON.stringify(c.name)} is called ${JSON.stringify(member)}; nothing was changed`);
    return m;
  };
  const mutedIn = (c) => state.muted[c.id] ?? [];
  const mutedNames = (c) => (c.others ?? []).filter((o) => mutedIn(c).includes(o.id)).map((o) => o.name);
  // The circle a test's circle ticket invites to (the inviting device's
  // side, as the joining device is shown it).
  const INVITED = {
    id: '9a8b7c6d'.repeat(4),
    name: 'Night owls',
    about: 'Writing after midnight, and reading each other kindly.',
    agreements: 'What is shared here stays here.\nNo advice unless asked.',
    invited_by: 'Rowan',
    members: ['Rowan', 'Sage'],
  };
  const findCircle = (idOrName) => {
    const w = idOrName.trim().toLowerCase();
    const found = state.circles.filter((c) => (w.length >= 4 && c.id.startsWith(w)) || c.name.toLowerCase() === w);
    if (found.length !== 1) throw err('invalid', `you are in no circle called ${JSON.stringify(idOrName.trim())}: \`hearth circle list\` shows your circles`);
    return found[0];
  };
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  // Sharing (hearth-core circle_share.rs), with its words.
  const activity = (x) => Math.max(x.tick, ...x.replies.map((r) => r.tick));
  const lastAt = (x) => [x.shared_at, ...x.replies.map((r) => r.at)].sort().pop();
  // Its photos and files, and those whose bytes are not here yet (tests
  // set `arriving`), hidden with the body behind a warning.
  const presentShared = (x, open, seen = Infinity) => ({
    id: x.id, circle: x.circle, author: x.author, you: x.you, entry: x.you ? x.entry : null, title: x.title,
    body: x.warning && !open ? null : x.body, warning: x.warning, tags: [...x.tags], mood: x.mood,
    feelings: [...x.feelings], attachments: x.warning && !open ? [] : [...x.attachments],
    arriving: x.warning && !open ? [] : [...x.arriving], written_at: x.written_at, shared_at: x.shared_at, new: activity(x) > seen,
    replies: x.replies.map(({ id, author, you, at, text, support }) => ({ id, author, you, at, text, support })),
  });
  const memberOf = (circle) => {
    const c = findCircle(circle);
    if (c.left) throw err('invalid', `you are not a member of ${JSON.stringify(c.name)}: nothing was changed`);
    return c;
  };
  const findShared = (id) => {
    const w = String(id).trim().toLowerCase();
    if (w.length < 4 || !/^[0-9a-f]+$/.test(w)) {
      throw err('invalid', `${JSON.stringify(id)} is not a shared entry's id: \`hearth circle feed CIRCLE --all\` shows them`);
    }
    const found = state.shared.filter((x) => !x.unshared && x.id.startsWith(w));
    if (found.length !== 1) {
      throw err('invalid', `no entry shared with your circles has the id ${JSON.stringify(id)}: \`hearth circle feed CIRCLE --all\` shows them`);
    }
    return found[0];
  };
  /** A member's entry shared with a circle (tests call it). */
  const seedShared = (o) => {
    const now = new Date().toISOString();
    const x = {
      id: hex(), author: 'Sage', you: false, entry: null, title: '', body: '', warning: null, tags: [], mood: null,
      feelings: [], attachments: [], arriving: [], written_at: now, shared_at: now, replies: [], unshared: false, ...o, tick: ++state.tick,
    };
    x.replies = x.replies.map((r) => ({ id: hex().slice(0, 16), you: false, text: null, support: null, at: now, ...r, tick: ++state.tick }));
    state.shared.push(x);
    return x.id;
  };

  const checkFiles = (paths) => {
    if (paths.length === 0) throw err('invalid', 'choose a photo or file first');
    return paths.map((p) => {
      const f = state.disk[p];
      if (!f) throw err('invalid', `cannot read ${p}: No such file or directory (os error 2) (nothing was attached)`);
      if (f.size > MAX) throw err('invalid', `${p} is ${humanSize(f.size)}, over the 100 MiB a file in an entry may be (nothing was attached)`);
      return [p, f];
    });
  };

  const handlers = {
    status: () => ({ hasJournal: state.hasJournal, unlocked: state.unlocked, home: '/home/test/.local/share/hearth' }),
    create_journal: ({ passphrase }) => {
      if (state.hasJournal) throw err('journalExists', 'a journal already exists');
      if (!passphrase) throw err('invalid', 'the passphrase is empty');
      Object.assign(state, { hasJournal: true, unlocked: true, passphrase, entries: [] });
      return { kdfMs: 420, loadMs: 0, damaged: [], recoveryKey: RECOVERY_KEY };
    },
    unlock: async ({ passphrase }) => {
      await sleep(state.delay);
      if (passphrase !== state.passphrase) throw err('wrongPassphrase', 'the passphrase is wrong; nothing was changed');
      state.unlocked = true;
      return { kdfMs: 430, loadMs: 12, damaged: [], recoveryKey: null };
    },
    recover: ({ recoveryKey, next }) => {
      if (recoveryKey.replace(/[\s-]/g, '').toUpperCase() !== state.recoveryKey.replace(/-/g, '')) {
        throw err('wrongRecoveryKey', 'this recovery key does not open this journal; nothing was changed');
      }
      Object.assign(state, { unlocked: true, passphrase: next });
      return { kdfMs: 410, loadMs: 10, damaged: [], recoveryKey: null };
    },
    has_recovery_key: () => (need(), true),
    new_recovery_key: () => {
      need();
      state.recoveryKey = 'Z9Y8-X7W6-V5T4-S3R2-Q1P0-NMKJ-HGFE-DCBA-2345';
      return state.recoveryKey;
    },
    lock: () => {
      state.unlocked = false;
      return null;
    },
    change_passphrase: ({ current, next }) => {
      need();
      if (current !== state.passphrase) throw err('wrongPassphrase', 'the passphrase is wrong; nothing was changed');
      state.passphrase = next;
      return null;
    },
    note_activity: () => null,
    since_launch: () => 420,
    list_entries: ({ query }) => {
      need();
      const all = filtered(query);
      const offset = query.offset || 0;
      return { entries: all.slice(offset, offset + (query.limit || 100)).map(summary), total: all.length };
    },
    get_entry: ({ id }) => (need(), view(find(id))),
    // A new entry is made of the fields sent; a change changes only those.
    save_entry: ({ input }) => {
      need();
      const now = new Date().toISOString();
      if (input.mood != null && (input.mood < 1 || input.mood > 5)) throw err('invalid', 'mood out of range');
      let e;
      if (!input.id) {
        e = {
          id: hex(), title: '', body: '', mood: null, feelings: [], tags: [], starred: false, trashed: false, createdAt: input.createdAt || now,
          attachments: [], place: null, weather: null, timeZone: null, timeThere: null,
        };
        state.entries.push(e);
      } else {
        e = find(input.id);
        if (input.createdAt) e.createdAt = input.createdAt;
      }
      if (input.title !== undefined) e.title = input.title.trim();
      for (const k of ['body', 'mood', 'feelings', 'tags']) if (input[k] !== undefined) e[k] = input[k];
      e.updatedAt = now;
      return view(e);
    },
    trash_entry: ({ id }) => {
      need();
      find(id).trashed = true;
      return null;
    },
    untrash_entry: ({ id }) => {
      need();
      const e = find(id);
      e.trashed = false;
      return view(e);
    },
    search_entries: ({ query }) => {
      need();
      const words = query.text.toLowerCase().split(/\s+/).filter(Boolean).map((w) => w.replace(/\*$/, ''));
      return filtered(query)
        .filter((e) => words.every((w) => `${e.title} ${e.body} ${e.tags.join(' ')}`.toLowerCase().includes(w)))
        .map((e) => {
          const text = excerpt(e.body);
          const parts = [];
          const re = new RegExp(`(${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'gi');
          let last = 0;
          for (const m of text.matchAll(re)) {
            if (m.index > last) parts.push({ text: text.slice(last, m.index), hit: false });
            parts.push({ text: m[0], hit: true });
            last = m.index + m[0].length;
          }
          if (last < text.length) parts.push({ text: text.slice(last), hit: false });
          return { entry: summary(e), snippet: parts };
        });
    },
    prepare_search: () => null,
    // Every file is checked before any is added, with the core's words.
    check_files: ({ paths }) => (checkFiles(paths), null),
    attach_files: async ({ entry, paths }) => {
      need();
      const e = find(entry);
      await sleep(state.delay);
      const files = checkFiles(paths).map(([p, f]) => attachment(p.split('/').pop(), f.type, f.size, p));
      for (const a of files) if (!e.attachments.some((b) => b.id === a.id)) e.attachments.push(a);
      return files;
    },
    attach_bytes: ({ entry, name, bytes }) => {
      need();
      const e = find(entry);
      if (bytes.length > MAX) throw err('invalid', `${name} is over the 100 MiB a file in an entry may be (nothing was attached)`);
      const type = bytes[0] === 0x89 && bytes[1] === 0x50 ? 'image/png' : bytes[0] === 0xff && bytes[1] === 0xd8 ? 'image/jpeg' : 'application/octet-stream';
      const a = attachment(name.trim() || 'pasted', type, bytes.length, bytes.join(','));
      if (!e.attachments.some((b) => b.id === a.id)) e.attachments.push(a);
      return a;
    },
    detach_attachment: ({ entry, attachment: which }) => {
      need();
      const e = find(entry);
      const a = e.attachments.find((x) => x.id.startsWith(which) || x.name === which);
      if (!a) throw err('invalid', `this entry has no attachment ${which}; \`hearth attachments ENTRY\` lists them`);
      e.attachments = e.attachments.filter((x) => x !== a);
      e.body = e.body.replace(new RegExp(`!?\\[[^\\]]*\\]\\(attachment:${a.id}\\)`, 'g'), '');
      e.updatedAt = new Date().toISOString();
      return view(e);
    },
    save_attachment: ({ id, path }) => {
      need();
      if (state.saved.includes(path)) throw err('invalid', `${path} already exists; choose another name (nothing was written)`);
      const here = (x) => (x.attachments ?? []).some((a) => a.id === id) && !(x.arriving ?? []).includes(id);
      if (!state.entries.some(here) && !state.shared.some((x) => !x.unshared && here(x))) throw err('invalid', `no attachment has id ${id}`);
      state.saved.push(path);
      return path;
    },
    calendar_month: ({ year, month }) => {
      need();
      const prefix = `${year}-${String(month).padStart(2, '0')}`;
      const days = new Map();
      for (const e of live()) {
        const k = localDay(e.createdAt);
        if (!k.startsWith(prefix)) continue;
        const d = days.get(k) || { sum: 0, n: 0 };
        if (e.mood) {
          d.sum += e.mood;
          d.n += 1;
        }
        days.set(k, d);
      }
      return {
        year, month,
        days: [...days].sort().map(([date, d]) => ({ date, mood: d.n ? d.sum / d.n : null })),
      };
    },
    on_this_day: () => {
      need();
      const t = localDay(new Date().toISOString());
      return live().filter((e) => {
        const k = localDay(e.createdAt);
        return k.slice(5) === t.slice(5) && k.slice(0, 4) < t.slice(0, 4);
      }).map(summary);
    },
    mood_series: ({ days }) => {
      need();
      const from = localDay(new Date(Date.now() - (days - 1) * DAY).toISOString());
      const per = new Map();
      const feelings = new Map();
      for (const e of live()) {
        const k = localDay(e.createdAt);
        if (k < from) continue;
        if (e.mood) {
          const d = per.get(k) || { sum: 0, n: 0 };
          d.sum += e.mood;
          d.n += 1;
          per.set(k, d);
        }
        for (const f of e.feelings) feelings.set(f, (feelings.get(f) || 0) + 1);
      }
      return {
        days,
        points: [...per].sort().map(([date, d]) => ({ date, average: d.sum / d.n })),
        feelings: [...feelings].sort((a, b) => b[1] - a[1]).map(([feeling, count]) => ({ feeling, count })),
      };
    },
    get_preferences: () => (need(), state.prefs),
    set_preferences: ({ preferences }) => (need(), (state.prefs = preferences)),
    get_writing_aids: () => (need(), state.aids),
    set_writing_aids: ({ aids }) => (need(), (state.aids = aids)),
    get_crisis_lines: () => (need(), state.lines),
    set_crisis_lines: ({ lines }) => (need(), (state.lines = lines)),
    default_crisis_lines: () => JSON.parse(JSON.stringify(defaults.lines)),
    formats: () => [
      { name: 'hearth', label: 'Hearth backup (JSON, keeps everything)', canExport: true, isFolder: false },
      { name: 'markdown', label: 'Markdown folder (one file per entry)', canExport: true, isFolder: true },
      { name: 'jrnl', label: 'jrnl text file', canExport: true, isFolder: false },
      { name: 'jrnl-json', label: 'jrnl JSON', canExport: true, isFolder: false },
      { name: 'dayone', label: 'Day One export (zip or JSON)', canExport: false, isFolder: false },
    ],
    import_entries: async ({ pathText, onProgress }) => {
      need();
      const total = 40;
      const id = onProgress.id;
      for (let i = 1; i <= total; i++) {
        if (i % 4 === 0 || i === total) {
          window.__TAURI_INTERNALS__.runCallback(id, { index: i / 4 - 1, message: { done: i, total } });
          await sleep(25);
        }
      }
      for (let i = 0; i < 3; i++) {
        const t = new Date(Date.now() - (100 + i) * DAY).toISOString();
        state.entries.push({ id: hex(), title: `Imported ${i + 1}`, body: `From ${pathText}`, mood: null, feelings: [], tags: ['imported'], starred: false, createdAt: t, updatedAt: t, trashed: false });
      }
      return { imported: 37, duplicates: 3, dropped: [{ what: 'photos', entries: 2, why: 'Hearth keeps text only' }] };
    },
    export_entries: async () => {
      need();
      await sleep(100);
      return live().length;
    },
    devices_list: () => (need(), state.devices.map((d) => ({ ...d }))),
    device_rename: ({ id, name }) => {
      need();
      const d = state.devices.find((x) => x.id === id);
      if (!d) throw err('notFound', 'this device is not in the journal; nothing was changed');
      const trimmed = name.trim();
      if (!trimmed || new TextEncoder().encode(trimmed).length > 100 || /\p{Cc}/u.test(trimmed)) {
        throw err('invalid', `${JSON.stringify(trimmed)} cannot be a device name: give one line of 1 to 100 bytes; nothing was changed`);
      }
      d.name = trimmed;
      return { ...d };
    },
    device_remove: ({ id }) => {
      need();
      const d = state.devices.find((x) => x.id === id);
      if (!d) throw err('notFound', 'this device is not in the journal; nothing was changed');
      state.devices = state.devices.filter((x) => x.id !== id);
      return { ...d };
    },
    sync_status: () => (need(), syncStatus()),
    net_config: () => (need(), JSON.parse(JSON.stringify(state.net))),
    set_net_config: ({ config }) => {
      need();
      if (typeof config.relay === 'object') {
        const url = config.relay.url.trim();
        if (!url) throw err('invalid', 'write the address of your relay (it starts with https://), or choose no relay');
        if (!/^https?:\/\/[^\s]+$/.test(url)) throw err('invalid', `${JSON.stringify(url)} is not a relay URL: write it as https://host`);
        config = { ...config, relay: { url } };
      }
      const q = config.quiet_hours;
      if (q && q.start === q.end) {
        const hh = (m) => `${pad2(Math.floor(m / 60))}:${pad2(m % 60)}`;
        throw err('invalid', `${hh(q.start)}-${hh(q.end)} is empty quiet hours: their start and end are the same`);
      }
      state.net = JSON.parse(JSON.stringify(config));
      return JSON.parse(JSON.stringify(state.net));
    },
    add_sync_window: ({ text }) => {
      need();
      const [a, b] = text.split('-');
      const start = a === undefined ? null : minutes(a);
      const end = b === undefined ? null : minutes(b);
      if (start === null || end === null) {
        throw err('invalid', `${JSON.stringify(text)} is not a sync window: write it as HH:MM-HH:MM, e.g. 19:00-20:00`);
      }
      if (!state.net.sync_windows.some((w) => w.start === start && w.end === end)) state.net.sync_windows.push({ start, end });
      return JSON.parse(JSON.stringify(state.net));
    },
    sync_now: async () => {
      need();
      await sleep(50);
      if (state.net.offline || state.net.sync_windows.length > 0) return [{ name: 'every device', report: null, error: closedWhy() }];
      return state.devices
        .filter((d) => !d.this_device)
        .map((d) => {
          state.figures[d.id] = { last_synced: new Date().toISOString(), equal_then: true, unconfirmed: 0 };
          d.last_seen = d.last_synced = state.figures[d.id].last_synced;
          return {
            name: d.name,
            report: { device: d.id, name: d.name, sent: 2, received: 1, duplicates: 0, equal: true, bytes_sent: 900, bytes_received: 400 },
            error: null,
          };
        });
    },
    pair_invite: () => {
      need();
      if (state.net.offline || state.net.sync_windows.length > 0) throw err('network', closedWhy());
      state.invite = 'hearthpair' + 'abcdefghijklmnopqrstuvwxyz234567'.repeat(6);
      return state.invite;
    },
    pair_close: () => {
      state.invite = null;
      return null;
    },
    pair_answer: ({ id, matches }) => {
      const w = state.waiting[id];
      if (w) {
        delete state.waiting[id];
        w(matches);
      }
      return null;
    },
    default_device_name: () => 'fern-desk',
    join_journal: async ({ ticket, name, passphrase }) => {
      if (state.hasJournal) throw err('journalExists', 'this computer has a journal already');
      if (!ticket.trim().toLowerCase().startsWith('hearthpair')) {
        throw err('invalid', 'this is not a pairing ticket: copy the whole ticket the other device shows (it starts with "hearthpair")');
      }
      const id = state.nextQuestion++;
      const answered = new Promise((r) => (state.waiting[id] = r));
      await emit('hearth://net', { kind: 'codeQuestion', question: { id, code: '482-913', deviceName: null } });
      if (!(await answered)) throw err('network', 'pairing failed: the code was refused here; nothing was changed');
      Object.assign(state, { hasJournal: true, unlocked: true, passphrase, entries: seed() });
      state.devices = [
        { id: 'c0ffee00' + '12345678'.repeat(7), name: name.trim(), this_device: true, last_seen: null, last_synced: null },
        { id: '5f1c3a9e' + '7b2d4c6e'.repeat(7), name: 'fern-laptop', this_device: false, last_seen: null, last_synced: null },
      ];
      const now = new Date().toISOString();
      state.figures = { [state.devices[1].id]: { last_synced: now, equal_then: true, unconfirmed: 0 } };
      return { unlock: { kdfMs: 400, loadMs: 0, damaged: [], recoveryKey: RECOVERY_KEY }, entries: state.entries.length, syncError: null };
    },
    list_circles: () => {
      need();
      return [...state.circles].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase())).map(circleSummary);
    },
    show_circle: ({ idOrName }) => {
      need();
      const c = findCircle(idOrName);
      const role = roleOf(c);
      const me = role ? [{ id: ME, name: c.asName, role, you: true, away: state.away, muted: false }] : [];
      return {
        id: c.id, name: c.name, about: c.about, agreements: c.agreements, role, epoch: c.epoch ?? 0, waiting: 0, shared: [],
        members: [...me, ...(c.others ?? []).map((o) => ({ away: null, ...o, muted: mutedIn(c).includes(o.id) }))],
      };
    },
    create_circle: ({ input }) => {
      need();
      const [name, about, agreements, asName] = [input.name, input.about, input.agreements, input.asName].map((t) => t.trim());
      if (badLine(name)) throw err('invalid', "a circle's name is one line of 1 to 100 bytes; nothing was changed");
      if (badLine(asName)) throw err('invalid', 'how you appear to the circle is one line of 1 to 100 bytes; nothing was changed');
      if (utf8(about) > 2000) throw err('invalid', `what the circle is for is ${utf8(about)} bytes, over the 2000 it may hold; nothing was changed`);
      if (utf8(agreements) > 16384) throw err('invalid', `the agreements are ${utf8(agreements)} bytes, over the 16384 they may hold; nothing was changed`);
      const c = { id: hex(), name, about, agreements, asName };
      state.circles.push(c);
      return circleSummary(c);
    },
    invite_to_circle: ({ circle }) => {
      need();
      const c = findCircle(circle);
      if ((c.role ?? 'owner') === 'member') throw err('invalid', 'only the circle\'s owner and admins invite people; nothing was changed');
      if (state.net.offline || state.net.sync_windows.length > 0) throw err('network', closedWhy());
      const expires = new Date(Date.now() + 24 * 3600_000);
      return { ticket: 'hearthcircle' + 'abcdefghijklmnopqrstuvwxyz234567'.repeat(5), circle: c.id, name: c.name, expires_at: expires.toISOString() };
    },
    join_circle: async ({ ticket, asName }) => {
      need();
      if (!ticket.replace(/\s/g, '').toLowerCase().startsWith('hearthcircle')) {
        throw err('invalid', 'this is not a circle invitation: copy the whole ticket you were given (it starts with "hearthcircle")');
      }
      if (badLine(asName.trim())) throw err('invalid', 'how you appear to the circle is one line of 1 to 100 bytes; nothing was changed');
      if (state.circles.some((c) => c.id === INVITED.id)) {
        throw err('invalid', 'you are in this circle already: `hearth circle show` shows it; nothing was changed');
      }
      const id = state.nextQuestion++;
      const answered = new Promise((r) => (state.waiting[id] = r));
      await emit('hearth://net', { kind: 'circleQuestion', id, preview: INVITED });
      if (!(await answered)) return { joined: false, circle: null, syncError: null };
      const c = {
        id: INVITED.id, name: INVITED.name, about: INVITED.about, agreements: INVITED.agreements, asName: asName.trim(), role: 'member',
        others: INVITED.members.map((name, i) => ({ id: String(i + 1).repeat(64), name, role: i === 0 ? 'owner' : 'member', you: false })),
      };
      state.circles.push(c);
      return { joined: true, circle: circleSummary(c), syncError: null };
    },
    share_entry: ({ entry, circle, warning }) => {
      need();
      const w = (warning ?? '').trim() || null;
      if (w && (utf8(w) > 100 || w.includes('\n'))) {
        throw err('invalid', 'a content warning is one line of at most 100 bytes; nothing was shared');
      }
      const e = state.entries.find((x) => x.id.startsWith(String(entry).toLowerCase()));
      if (!e) throw err('notFound', 'no entry has that id');
      if (e.trashed) throw err('invalid', 'this entry is in the trash: restore it first (`hearth trash restore`); nothing was shared');
      const c = memberOf(circle);
      const at = new Date().toISOString();
      const version = {
        title: e.title, body: e.body, warning: w, tags: [...e.tags], mood: e.mood, feelings: [...e.feelings],
        attachments: [...(e.attachments ?? [])], arriving: [], written_at: e.createdAt, shared_at: at, unshared: false, tick: ++state.tick,
      };
      let x = state.shared.find((s) => s.circle === c.id && s.you && s.entry === e.id);
      if (x) Object.assign(x, version);
      else {
        x = { id: hex(), circle: c.id, author: c.asName, you: true, entry: e.id, replies: [], ...version };
        state.shared.push(x);
      }
      return presentShared(x, true, state.visits[c.id] ?? 0);
    },
    unshare_entry: ({ entry, circle }) => {
      need();
      const c = memberOf(circle);
      const x = state.shared.find((s) => s.circle === c.id && s.you && s.entry.startsWith(String(entry).toLowerCase()));
      if (!x || x.unshared) throw err('invalid', 'this entry is not shared with that circle: nothing was changed');
      Object.assign(x, { unshared: true, title: '', body: '', tags: [], feelings: [], attachments: [], mood: null, warning: null, tick: ++state.tick });
      return null;
    },
    circle_feed: ({ circle, all }) => {
      need();
      const c = findCircle(circle);
      const seen = state.visits[c.id] ?? 0;
      const entries = state.shared
        .filter((x) => x.circle === c.id && !x.unshared && !mutedNames(c).includes(x.author))
        .map((x) => [lastAt(x), presentShared(x, false, seen)])
        .map(([at, e]) => [at, { ...e, replies: e.replies.filter((r) => !mutedNames(c).includes(r.author)) }])
        .filter(([, e]) => all || e.new)
        .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0))
        .map(([, e]) => e);
      state.visits[c.id] = state.tick;
      return { circle: c.id, name: c.name, entries, only_new: !all };
    },
    read_shared: ({ id }) => {
      need();
      const x = findShared(id);
      return presentShared(x, true, state.visits[x.circle] ?? 0);
    },
    reply_to_shared: ({ id, text, support }) => {
      need();
      const t = (text ?? '').trim() || null;
      if ((t === null) === (support == null)) {
        throw err('invalid', 'a reply is words or one supportive response (--support), not both and not neither; nothing was sent');
      }
      const x = findShared(id);
      const c = memberOf(x.circle);
      const r = { id: hex().slice(0, 16), author: c.asName, you: true, at: new Date().toISOString(), text: t, support: support ?? null, tick: ++state.tick };
      x.replies.push(r);
      return { id: r.id, author: r.author, you: true, at: r.at, text: r.text, support: r.support };
    },
    remove_member: ({ circle, member }) => {
      need();
      const c = adminOf(circle, 'remove people');
      const m = findMember(c, member);
      if (m.you) throw err('invalid', 'to leave a circle yourself, use `hearth circle leave`; nothing was changed');
      if (m.role === 'owner') throw err('invalid', `nobody removes the owner of ${JSON.stringify(c.name)}; nothing was changed`);
      c.others = c.others.filter((o) => o.id !== m.id);
      c.epoch = (c.epoch ?? 0) + 1;
      return m.name;
    },
    set_member_role: ({ circle, member, admin }) => {
      need();
      const c = adminOf(circle, admin ? 'promote people' : 'demote people');
      const m = findMember(c, member);
      if (m.role === 'owner' && !admin) throw err('invalid', `nobody demotes the owner of ${JSON.stringify(c.name)}; nothing was changed`);
      if (!m.you) m.role = admin ? 'admin' : 'member';
      return m.name;
    },
    leave_circle: ({ circle }) => {
      need();
      const c = findCircle(circle);
      if (c.left) throw err('invalid', 'you are not a member of this circle; nothing was changed');
      c.left = true;
      return c.name;
    },
    mute_member: ({ circle, member, mute }) => {
      need();
      const c = findCircle(circle);
      const m = findMember(c, member);
      if (m.you) throw err('invalid', 'you cannot mute yourself; nothing was changed');
      const now = mutedIn(c).filter((id) => id !== m.id);
      state.muted[c.id] = mute ? [...now, m.id] : now;
      return m.name;
    },
    report_item: ({ circle, item, reason }) => {
      need();
      const why = reason.trim();
      if (!why || utf8(why) > 2000) throw err('invalid', 'say why you report it, in at most 2000 bytes (--reason); nothing was sent');
      const c = memberOf(circle);
      const w = String(item).trim().toLowerCase();
      let found = null;
      for (const x of state.shared.filter((x) => x.circle === c.id && !x.unshared)) {
        if (w.length >= 4 && x.id.startsWith(w)) found = { what: 'entry', item: x.id, about: x.author, excerpt: x.title };
        for (const r of x.replies) {
          if (w.length >= 4 && r.id.startsWith(w)) found = { what: 'reply', item: r.id, about: r.author, excerpt: r.text ?? r.support };
        }
      }
      if (!found) throw err('invalid', `nothing shared in ${JSON.stringify(c.name)} has the id ${JSON.stringify(item)}; nothing was sent`);
      state.reports.push({ circle: c.id, from: c.asName, at: new Date().toISOString(), reason: why, ...found });
      return null;
    },
    circle_reports: ({ circle }) => {
      need();
      const c = adminOf(circle, 'read reports');
      return state.reports.filter((r) => r.circle === c.id).map(({ circle: _c, ...r }) => r);
    },
    set_away: ({ until, note, offline }) => {
      need();
      const told = state.circles.filter((c) => !c.left).map((c) => c.name);
      if (until === null) {
        state.away = null;
        if (state.net.offline_until) {
          state.net.offline = false;
          delete state.net.offline_until;
        }
        return told;
      }
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(until.trim());
      if (!m) throw err('invalid', `${JSON.stringify(until)} is not a date or time: use RFC 3339 (2021-03-05T21:40:00+01:00), YYYY-MM-DD HH:MM or YYYY-MM-DD`);
      const at = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
      if (at <= new Date()) throw err('invalid', 'that date has passed: give one still to come (e.g. 2027-01-10); nothing was changed');
      const n = (note ?? '').trim() || null;
      if (n && (utf8(n) > 200 || n.includes('\n'))) throw err('invalid', 'an away note is one line of at most 200 bytes; nothing was changed');
      state.away = { until: at.toISOString(), note: n };
      if (offline) {
        state.net.offline = true;
        state.net.offline_until = at.toISOString();
      }
      return told;
    },
    answer_circle_question: ({ id, accept }) => {
      const w = state.waiting[id];
      if (w) {
        delete state.waiting[id];
        w(accept);
      }
      return null;
    },
    'plugin:dialog|open': () => {
      if (state.nextOpen === undefined) return '/home/test/journal.json';
      const picked = state.nextOpen;
      state.nextOpen = undefined;
      return picked;
    },
    'plugin:dialog|save': ({ options }) =>
      options?.title?.startsWith('Save a copy') ? `/home/test/Downloads/${options.defaultPath}` : '/home/test/hearth-backup.json',
  };

  async function handle(cmd, args) {
    state.calls.push({ cmd, args: JSON.parse(JSON.stringify(args ?? {}, (k, v) => (k === 'onProgress' ? '[channel]' : v))) });
    const h = handlers[cmd];
    if (!h) {
      if (cmd.startsWith('plugin:window|')) return null;
      throw err('internal', `the fake shell has no command ${cmd}`);
    }
    return h(args || {});
  }

  async function emit(event, payload) {
    return window.__TAURI_INTERNALS__.invoke('plugin:event|emit', { event, payload });
  }

  mocks.mockWindows('main');
  // Photos come from the test server (harness.ts answers /__hearth-file/),
  // standing in for the shell's hearth-file scheme.
  window.__TAURI_INTERNALS__.convertFileSrc = (path, protocol) =>
    `${window.location.origin}/__${protocol}/${encodeURIComponent(path)}`;
  mocks.mockIPC(handle, { shouldMockEvents: true });
  window.__hearthFake = { state, emit, seedShared, attachment, calls: (cmd) => state.calls.filter((c) => c.cmd === cmd) };
})();
