/* haguide site script: theme, distro tabs, copy buttons, placeholder tips,
   search, live reload. No dependencies; works from file:// and any host. */
(function () {
  'use strict';
  var doc = document.documentElement;
  var me = document.currentScript;
  doc.classList.remove('no-js');
  doc.classList.add('js');

  var store = {
    get: function (k) { try { return window.localStorage.getItem(k); } catch (e) { return null; } },
    set: function (k, v) { try { window.localStorage.setItem(k, v); } catch (e) { /* private mode */ } }
  };
  var THEME = 'haguide-theme', DISTRO = 'haguide-distro';

  // Theme: before the first paint, so the page does not flash.
  var saved = store.get(THEME);
  if (saved === 'light' || saved === 'dark') doc.setAttribute('data-theme', saved);

  // Distro: ?distro=ID wins and is remembered, then the remembered one,
  // then the guide's first.
  var distros = (doc.getAttribute('data-distros') || '').split(' ').filter(Boolean);
  var distro = null;
  try {
    var q = new URLSearchParams(window.location.search).get('distro');
    if (q && distros.indexOf(q) >= 0) { distro = q; store.set(DISTRO, q); }
  } catch (e) { /* old browser */ }
  if (!distro) {
    var s = store.get(DISTRO);
    distro = s && distros.indexOf(s) >= 0 ? s : distros[0];
  }
  if (distro) doc.setAttribute('data-distro', distro);

  function words(el, attr) { return (el.getAttribute(attr) || '').split(' ').filter(Boolean); }
  function all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function announce(msg) {
    var a = document.getElementById('announce');
    if (a) { a.textContent = ''; window.setTimeout(function () { a.textContent = msg; }, 50); }
  }

  function effectiveTheme() {
    var t = doc.getAttribute('data-theme');
    if (t) return t;
    return window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }
  function showTheme() {
    var b = document.getElementById('theme-toggle');
    if (!b) return;
    var dark = effectiveTheme() === 'dark';
    b.setAttribute('aria-pressed', dark ? 'true' : 'false');
    b.title = dark ? 'Switch to the light theme' : 'Switch to the dark theme';
  }

  // distroName is a distro's name as the picker shows it.
  function distroName(d) {
    var o = document.querySelector('#distro-select option[value="' + d + '"]');
    return o ? o.textContent : d;
  }
  // copyLabel names the distro whose commands a copy button copies, when
  // they are not the reader's (its accessible name holds what it shows).
  function copyLabel(b, other) {
    var what = b.getAttribute('data-what');
    b.textContent = other ? 'Copy ' + other + '\u2019s' : 'Copy';
    b.setAttribute('aria-label', other ? 'Copy ' + other + '\u2019s ' + what : 'Copy the ' + what);
    b.setAttribute('data-label', b.textContent);
  }
  // applyDistro shows the chosen distro's panel in every tab group of the
  // page; a group with none for it says so above the panel it shows (its
  // first), whose copy buttons name that panel's distro. Blocks for other
  // distros outside groups fold away behind a button that shows them.
  function applyDistro(d) {
    distro = d;
    doc.setAttribute('data-distro', d);
    all('.tabs').forEach(function (g) {
      var tabs = all('[role=tab]', g).filter(function (t) { return t.closest('.tabs') === g; });
      var panels = all('[role=tabpanel]', g).filter(function (p) { return p.closest('.tabs') === g; });
      var pick = -1;
      for (var i = 0; i < panels.length; i++) {
        if (words(panels[i], 'data-distros').indexOf(d) >= 0) { pick = i; break; }
      }
      var missing = pick < 0, note = g.querySelector('.distro-missing');
      if (missing) pick = 0;
      tabs.forEach(function (t, i) {
        t.setAttribute('aria-selected', i === pick ? 'true' : 'false');
        t.tabIndex = i === pick ? 0 : -1;
      });
      panels.forEach(function (p, i) { p.hidden = i !== pick; });
      var label = tabs[pick] ? tabs[pick].textContent : '';
      if (missing && !note) {
        note = document.createElement('p');
        note.className = 'distro-missing';
        g.insertBefore(note, panels[0]);
      }
      if (note) {
        note.hidden = !missing;
        note.textContent = missing ? 'No ' + distroName(d) + ' commands for this step. Shown: ' + label + '\u2019s, which are not for ' + distroName(d) + '.' : '';
      }
      all('button.copy', g).forEach(function (b) {
        copyLabel(b, missing && b.closest('[role=tabpanel]') === panels[pick] ? label : '');
      });
    });
    all('p.distro-scope').forEach(function (p) { p.hidden = p.getAttribute('data-distro') !== d; });
    all('a.doc-link.per-distro').forEach(function (a) {
      // href is the first distro's page; data-href-ID where another differs
      // (relative to href when in its directory).
      if (a.haguideHref === undefined) a.haguideHref = a.getAttribute('href');
      var rel = a.getAttribute('data-href-' + d);
      a.setAttribute('href', rel ? new URL(rel, a.haguideHref).href : a.haguideHref);
    });
    all('figure.block[data-distros]').forEach(function (f) {
      if (f.closest('.tabpanel')) return;
      var other = words(f, 'data-distros').indexOf(d) < 0;
      var t = f.previousElementSibling;
      if (!t || !t.classList.contains('other-distro-toggle')) {
        if (!other) return;
        t = document.createElement('p');
        t.className = 'other-distro-toggle';
        var b = document.createElement('button');
        b.type = 'button';
        b.setAttribute('aria-expanded', 'false');
        b.addEventListener('click', function () {
          var open = f.hidden;
          f.hidden = !open;
          b.setAttribute('aria-expanded', open ? 'true' : 'false');
          b.textContent = (open ? 'Hide' : 'Show') + b.textContent.slice(4);
        });
        t.appendChild(b);
        f.parentNode.insertBefore(t, f);
      }
      var names = f.querySelector('figcaption .distros');
      var open = t.firstChild.getAttribute('aria-expanded') === 'true';
      t.firstChild.textContent = (open ? 'Hide' : 'Show') + ' a step ' + (names ? names.textContent.replace(/^For/, 'for') : 'for other distributions');
      t.hidden = !other;
      f.hidden = other && !open;
      var cb = f.querySelector('button.copy');
      if (cb) copyLabel(cb, other ? words(f, 'data-distros').map(distroName).join('/') : '');
      f.classList.toggle('other-distro', other);
    });
    var sel = document.getElementById('distro-select');
    if (sel) sel.value = d;
  }

  function chooseDistro(d, keep) {
    // keep: an element whose place on screen must not move while the
    // groups above it change height.
    var top = keep ? keep.getBoundingClientRect().top : 0;
    applyDistro(d);
    store.set(DISTRO, d);
    if (keep) window.scrollBy(0, keep.getBoundingClientRect().top - top);
  }

  // Tab lists: made here from each group's panels (a tab per panel, named
  // by its label), with the ARIA tabs pattern. Without the script there are
  // no tabs, only every panel under its label.
  function buildTabs() {
    all('.tabs').forEach(function (g, k) {
      if (g.querySelector('[role=tablist]')) return;
      var gid = g.id || 'tabs-js-' + k;
      var list = document.createElement('div');
      list.className = 'tablist';
      list.setAttribute('role', 'tablist');
      list.setAttribute('aria-label', 'Distribution');
      all('.tabpanel', g).filter(function (p) { return p.parentNode === g; }).forEach(function (p, i) {
        var t = document.createElement('button');
        var label = p.querySelector('.tab-label');
        t.type = 'button';
        t.id = gid + '-tab-' + (i + 1);
        p.id = gid + '-panel-' + (i + 1);
        t.setAttribute('role', 'tab');
        t.setAttribute('aria-controls', p.id);
        t.setAttribute('aria-selected', i === 0 ? 'true' : 'false');
        t.tabIndex = i === 0 ? 0 : -1;
        t.setAttribute('data-distros', p.getAttribute('data-distros') || '');
        t.textContent = label ? label.textContent : p.getAttribute('data-distros');
        p.setAttribute('role', 'tabpanel');
        p.setAttribute('aria-labelledby', t.id);
        p.tabIndex = 0;
        list.appendChild(t);
      });
      g.insertBefore(list, g.firstChild);
    });
  }

  function initTabs() {
    document.addEventListener('click', function (ev) {
      var t = ev.target.closest && ev.target.closest('[role=tab]');
      if (!t || !t.closest('.tabs')) return;
      var ds = words(t, 'data-distros');
      if (!ds.length) return;
      chooseDistro(ds.indexOf(distro) >= 0 ? distro : ds[0], t);
      announce('Showing ' + t.textContent);
    });
    document.addEventListener('keydown', function (ev) {
      var t = ev.target.closest && ev.target.closest('[role=tab]');
      if (!t) return;
      var list = t.closest('[role=tablist]');
      var tabs = all('[role=tab]', list);
      var i = tabs.indexOf(t), n = tabs.length, j;
      switch (ev.key) {
        case 'ArrowRight': case 'ArrowDown': j = (i + 1) % n; break;
        case 'ArrowLeft': case 'ArrowUp': j = (i - 1 + n) % n; break;
        case 'Home': j = 0; break;
        case 'End': j = n - 1; break;
        default: return;
      }
      ev.preventDefault();
      var next = tabs[j];
      var ds = words(next, 'data-distros');
      chooseDistro(ds.indexOf(distro) >= 0 ? distro : ds[0], next);
      next.focus();
    });
    var sel = document.getElementById('distro-select');
    if (sel) sel.addEventListener('change', function () { chooseDistro(sel.value, sel); });
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (ok, fail) {
      var ta = document.createElement('textarea');
      ta.value = text;
      ta.setAttribute('readonly', '');
      ta.style.position = 'fixed';
      ta.style.opacity = '0';
      document.body.appendChild(ta);
      ta.select();
      var done = false;
      try { done = document.execCommand('copy'); } catch (e) { done = false; }
      document.body.removeChild(ta);
      if (done) ok(); else fail(new Error('copy refused'));
    });
  }

  // The text a block's copy button copies: the commands of a console
  // block (each span.cmd holds one command, without its prompt, which
  // CSS draws), else the whole code; never the expected output.
  function blockCopyText(code) {
    var cmds = all('.cmd', code);
    if (cmds.length) return cmds.map(textOf).join('\n');
    return textOf(code).replace(/\n+$/, '');
  }
  // textOf is an element's text with the reader's values in place of
  // their placeholders (shown masked, when secret, but copied whole).
  function textOf(n) {
    if (n.nodeType === 3) return n.data;
    if (n.haguideValue) return n.haguideValue;
    var t = '';
    for (var c = n.firstChild; c; c = c.nextSibling) t += textOf(c);
    return t;
  }

  // Copy buttons: one per block, made here (they need the script anyway),
  // at the end of its caption (a bar of their own where a block has
  // none), never over the code.
  function initCopy() {
    all('figure.block').forEach(function (fig) {
      var code = fig.querySelector('pre code');
      if (!code || fig.querySelector('button.copy')) return;
      var what = code.querySelector('.cmd') ? 'commands' : fig.classList.contains('file') ? 'file' : 'code';
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'copy';
      b.textContent = 'Copy';
      b.setAttribute('aria-label', 'Copy the ' + what);
      b.setAttribute('data-what', what);
      var bar = fig.querySelector('figcaption');
      if (!bar) {
        bar = document.createElement('div');
        bar.className = 'block-bar';
        fig.insertBefore(bar, fig.firstChild);
      }
      bar.appendChild(b);
    });
    document.addEventListener('click', function (ev) {
      var b = ev.target.closest && ev.target.closest('button.copy');
      if (!b) return;
      var code = b.closest('figure.block').querySelector('pre code');
      var label = b.getAttribute('data-label') || b.textContent;
      b.setAttribute('data-label', label);
      copyText(code ? blockCopyText(code) : '').then(function () {
        b.textContent = 'Copied';
        b.classList.add('copied');
        announce('Copied to the clipboard');
      }, function () {
        b.textContent = 'Select and copy';
        announce('The browser refused to copy');
      }).then(function () {
        window.setTimeout(function () { b.textContent = label; b.classList.remove('copied'); }, 1600);
      });
    });
  }
  window.haguideCopyText = blockCopyText;

  // Placeholder tips: each page (each chapter of the print view) ends
  // with one list of the meanings of its placeholders (dl in
  // section.ph-list, an entry dd#ph-NAME per name); every use before it
  // becomes focusable, is described by its entry, and shows the entry's
  // text beside it on hover and on keyboard focus, in one floating box
  // that no code block clips.
  function initTips() {
    var tip = document.getElementById('ph-tip');
    if (!tip) return;
    var pending = [];
    all('var, section.ph-list').forEach(function (el) {
      if (el.tagName !== 'SECTION') {
        if (!el.closest('.ph-list')) { el.setAttribute('data-ph', el.textContent); pending.push(el); }
        return;
      }
      var entries = {};
      all('dt', el).forEach(function (dt) {
        var dd = dt.nextElementSibling;
        if (dd && dd.id) entries[dt.textContent] = dd;
      });
      pending.forEach(function (v) {
        var dd = entries[v.getAttribute('data-ph')];
        if (!dd) return;
        v.tabIndex = 0;
        v.setAttribute('aria-describedby', dd.id);
        v.setAttribute('data-tip', '');
      });
      pending = [];
    });
    var current = null;
    function show(v) {
      current = v;
      var dd = document.getElementById(v.getAttribute('aria-describedby'));
      tip.textContent = (v.haguideValue ? v.getAttribute('data-ph') + ', your value' + (v.classList.contains('secret') && !reveal ? ' (hidden)' : '') + ': ' : '') + (dd ? dd.textContent : '');
      tip.hidden = false;
      var r = v.getBoundingClientRect();
      var w = tip.offsetWidth, h = tip.offsetHeight;
      var x = Math.max(8, Math.min(r.left, window.innerWidth - w - 8));
      var y = r.bottom + 6;
      if (y + h > window.innerHeight - 8) y = Math.max(8, r.top - h - 6);
      tip.style.left = x + 'px';
      tip.style.top = y + 'px';
    }
    function hide(v) { if (current === v) { tip.hidden = true; current = null; } }
    function find(ev) { return ev.target.closest && ev.target.closest('var[data-tip]'); }
    document.addEventListener('mouseover', function (ev) { var v = find(ev); if (v) show(v); });
    document.addEventListener('mouseout', function (ev) { var v = find(ev); if (v && v !== document.activeElement) hide(v); });
    document.addEventListener('focusin', function (ev) { var v = find(ev); if (v) show(v); });
    document.addEventListener('focusout', function (ev) { var v = find(ev); if (v) hide(v); });
    document.addEventListener('keydown', function (ev) { if (ev.key === 'Escape' && current) hide(current); });
    window.addEventListener('scroll', function () { if (current) show(current); }, { passive: true });
  }

  // Your values: the reader's values of the placeholders, kept in this
  // browser only (localStorage haguide-values, and haguide-node for the
  // node "this node" means), shown in place of the placeholders in every
  // command and file (marked as the reader's) and copied by Copy. The form
  // (values.js) loads when the reader first opens it.
  var VALUES = 'haguide-values', NODE = 'haguide-node';
  var nodes = words(doc, 'data-nodes');
  var vals = {}, node = '', reveal = false;
  function loadValues() {
    try { vals = JSON.parse(store.get(VALUES) || '{}') || {}; } catch (e) { vals = {}; }
    node = store.get(NODE) || '';
    if (nodes.indexOf(node) < 0) node = '';
  }
  function addrName(n) { return n.toUpperCase().replace(/[-.]/g, '_') + '_ADDR'; }
  // valueFor is the reader's value of a placeholder used in fig (a
  // block, or null for prose): NODE_NAME and NODE_ADDR are those of the
  // block's node when it runs on one, else of the node the reader chose.
  function valueFor(name, fig) {
    if (!node && !Object.keys(vals).length) return '';
    if (name !== 'NODE_NAME' && name !== 'NODE_ADDR') return vals[name] || '';
    var on = fig ? words(fig, 'data-nodes') : [];
    var n = on.length === 1 ? on[0] : node && (!on.length || on.indexOf(node) >= 0) ? node : '';
    if (!n) return '';
    return name === 'NODE_NAME' ? n : vals[addrName(n)] || '';
  }
  function applyValues() {
    all('var[data-ph]').forEach(function (v) {
      var name = v.getAttribute('data-ph');
      var val = valueFor(name, v.closest('figure.block'));
      v.haguideValue = val;
      v.classList.toggle('mine', !!val);
      v.textContent = !val ? name : v.classList.contains('secret') && !reveal ? '\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022' : val;
    });
  }
  function saveValues() {
    store.set(VALUES, JSON.stringify(vals));
    store.set(NODE, node);
    applyValues();
  }

  function initValues() {
    loadValues();
    applyValues();
    var b = document.getElementById('values-open');
    if (!b || !document.querySelector('section.ph-list dd[data-type]')) return;
    b.hidden = false;
    var open = null, loading = false;
    b.addEventListener('click', function () {
      if (open) { open(); return; }
      if (loading || !me) return;
      loading = true;
      var s = document.createElement('script');
      s.src = me.getAttribute('data-values');
      s.onload = function () {
        open = window.HAGUIDE_VALUES_UI({
          vals: vals, node: node, nodes: nodes, addrName: addrName, announce: announce, all: all,
          state: function () { return { vals: vals, node: node }; },
          save: function (v, n) { vals = v; node = n; saveValues(); },
          reveal: function (r) { reveal = r; applyValues(); }
        });
        open();
      };
      s.onerror = function () { loading = false; };
      document.head.appendChild(s);
    });
    window.addEventListener('storage', function (ev) {
      if (ev.key === VALUES || ev.key === NODE) { loadValues(); applyValues(); }
    });
  }

  function initTheme() {
    var b = document.getElementById('theme-toggle');
    if (!b) return;
    showTheme();
    b.addEventListener('click', function () {
      var t = effectiveTheme() === 'dark' ? 'light' : 'dark';
      doc.setAttribute('data-theme', t);
      store.set(THEME, t);
      showTheme();
      announce(t === 'dark' ? 'Dark theme' : 'Light theme');
    });
    if (window.matchMedia) {
      var m = window.matchMedia('(prefers-color-scheme: dark)');
      if (m.addEventListener) m.addEventListener('change', showTheme);
    }
  }

  function initNav() {
    var b = document.querySelector('.nav-toggle');
    var nav = document.getElementById('sidebar');
    if (!b || !nav) return;
    b.addEventListener('click', function () {
      var open = !doc.classList.contains('nav-open');
      doc.classList.toggle('nav-open', open);
      b.setAttribute('aria-expanded', open ? 'true' : 'false');
      if (open) { var a = nav.querySelector('a'); if (a) a.focus(); }
    });
    document.addEventListener('keydown', function (ev) {
      if (ev.key === 'Escape' && doc.classList.contains('nav-open')) {
        doc.classList.remove('nav-open');
        b.setAttribute('aria-expanded', 'false');
        b.focus();
      }
    });
  }

  // On this page: the contents column shows only on wide screens; a copy
  // of its list goes under the current chapter in the sidebar (the phone's
  // menu), shown by CSS below that width. Both mark the section being read
  // (aria-current), the last whose heading has passed the header.
  function initPageTOC() {
    var list = document.querySelector('aside.toc ol');
    var cur = document.querySelector('#sidebar a[aria-current=page]');
    if (!list) return;
    if (cur) {
      var copy = list.cloneNode(true);
      copy.className = 'page-toc';
      copy.setAttribute('aria-label', 'On this page');
      cur.parentNode.appendChild(copy);
    }
    var links = all('aside.toc a, #sidebar .page-toc a');
    var heads = [];
    links.forEach(function (a) {
      var h = document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1)));
      if (h && heads.indexOf(h) < 0) heads.push(h);
    });
    var pending = false, shown = null;
    function mark() {
      pending = false;
      var top = (parseFloat(getComputedStyle(doc).scrollPaddingTop) || 0) + 8, at = null;
      for (var i = 0; i < heads.length; i++) {
        if (heads[i].getBoundingClientRect().top <= top) at = heads[i]; else break;
      }
      if (at === shown) return;
      shown = at;
      links.forEach(function (a) {
        if (at && a.getAttribute('href') === '#' + at.id) a.setAttribute('aria-current', 'location');
        else a.removeAttribute('aria-current');
      });
    }
    window.addEventListener('scroll', function () {
      if (!pending) { pending = true; window.requestAnimationFrame(mark); }
    }, { passive: true });
    mark();
    // A link of the copy in the phone's menu closes the menu.
    document.addEventListener('click', function (ev) {
      var a = ev.target.closest && ev.target.closest('#sidebar .page-toc a');
      var b = document.querySelector('.nav-toggle');
      if (a && b && doc.classList.contains('nav-open')) {
        doc.classList.remove('nav-open');
        b.setAttribute('aria-expanded', 'false');
      }
    });
  }

  // A search result opens its page with ?hl=TERMS: the words of the
  // section that begin with a term are marked, up to the next heading of
  // its level or above.
  function initHighlight() {
    var q = null;
    try { q = new URLSearchParams(window.location.search).get('hl'); } catch (e) { return; }
    var terms = (q || '').toLowerCase().split(' ').filter(function (t) { return t.length > 1; });
    var art = document.querySelector('article');
    if (!terms.length || !art) return;
    var re = new RegExp('(^|[^A-Za-z0-9])(' + terms.map(function (t) { return t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }).join('|') + ')[A-Za-z0-9]*', 'gi');
    var h = window.location.hash ? document.getElementById(decodeURIComponent(window.location.hash.slice(1))) : null;
    var start = h ? (h.closest('.heading') || h) : art.firstElementChild;
    var level = h && /^H[1-6]$/.test(h.tagName) ? Number(h.tagName.charAt(1)) : 1;
    var nodes = [], n = 0;
    for (var el = start; el; el = el.nextElementSibling) {
      if (el !== start) {
        var hd = el.matches('.heading') ? el.querySelector('h1,h2,h3,h4,h5,h6') : /^H[1-6]$/.test(el.tagName) ? el : null;
        if (hd && Number(hd.tagName.charAt(1)) <= level) break;
      }
      var w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      while (w.nextNode()) nodes.push(w.currentNode);
    }
    nodes.forEach(function (t) {
      if (n > 200 || t.parentNode.closest('var, button, .ph-list')) return;
      var s = t.data, m, last = 0, frag = null;
      re.lastIndex = 0;
      while ((m = re.exec(s)) !== null) {
        frag = frag || document.createDocumentFragment();
        var at = m.index + m[1].length;
        frag.appendChild(document.createTextNode(s.slice(last, at)));
        var mk = document.createElement('mark');
        mk.className = 'hl';
        mk.textContent = s.slice(at, m.index + m[0].length);
        frag.appendChild(mk);
        last = m.index + m[0].length;
        n++;
      }
      if (frag) { frag.appendChild(document.createTextNode(s.slice(last))); t.parentNode.replaceChild(frag, t); }
    });
  }

  // Figures open full size: each image of the page links to its file.
  function initFigures() {
    all('article img').forEach(function (img) {
      if (img.closest('a')) return;
      var a = document.createElement('a');
      a.className = 'figure-link';
      a.href = img.getAttribute('src');
      a.title = 'Open the figure full size';
      img.parentNode.insertBefore(a, img);
      a.appendChild(img);
    });
  }

  // Live reload under haguide serve.
  function initLive() {
    var url = doc.getAttribute('data-live');
    if (!url || !window.EventSource) return;
    var es = new EventSource(url);
    es.addEventListener('reload', function () { window.location.reload(); });
  }

  // Search: its script (search.js), MiniSearch and the index built at
  // build time load on first use, as scripts (fetch is refused over
  // file://), so that a page view costs none of them.
  function initSearch() {
    var input = document.getElementById('search-input');
    if (!input || !me) return;
    var state = 0; // 0 not loaded, 1 loading, 2 running
    function start() {
      if (state) return;
      state = 1;
      var s = document.createElement('script');
      s.src = me.getAttribute('data-ui');
      s.onload = function () { state = 2; window.HAGUIDE_SEARCH_UI(input, me, announce); };
      s.onerror = function () { state = 0; };
      document.head.appendChild(s);
    }
    input.addEventListener('focus', start);
    input.addEventListener('input', start);
    document.addEventListener('keydown', function (ev) {
      var tag = (ev.target.tagName || '').toLowerCase();
      if (ev.key === '/' && tag !== 'input' && tag !== 'select' && tag !== 'textarea' && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
        ev.preventDefault();
        input.focus();
      }
    });
  }

  function init() {
    buildTabs();
    initCopy();
    if (distro) applyDistro(distro);
    initTabs();
    initTips();
    initValues();
    initTheme();
    initNav();
    initPageTOC();
    initFigures();
    initHighlight();
    initLive();
    initSearch();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
