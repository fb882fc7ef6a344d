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

  // applyDistro shows the chosen distro's panel in every tab group of the
  // page (the first panel where a group has none for it) and points
  // per-distro documentation links at its pages.
  function applyDistro(d) {
    distro = d;
    doc.setAttribute('data-distro', d);
    all('.tabs').forEach(function (g) {
      var tabs = all('[role=tab]', g).filter(function (t) { return t.closest('.tabs') === g; });
      var panels = all('[role=tabpanel]', g).filter(function (p) { return p.closest('.tabs') === g; });
      var pick = 0;
      for (var i = 0; i < panels.length; i++) {
        if (words(panels[i], 'data-distros').indexOf(d) >= 0) { pick = i; break; }
      }
      tabs.forEach(function (t, i) {
        t.setAttribute('aria-selected', i === pick ? 'true' : 'false');
        t.tabIndex = i === pick ? 0 : -1;
      });
      panels.forEach(function (p, i) { p.hidden = i !== pick; });
      var list = g.querySelector('[role=tablist]');
      if (list) list.hidden = false;
    });
    all('a.doc-link.per-distro').forEach(function (a) {
      var h = a.getAttribute('data-href-' + d);
      if (h) a.href = h;
    });
    all('figure.block[data-distros]').forEach(function (f) {
      if (f.closest('.tabpanel')) return;
      f.classList.toggle('other-distro', words(f, 'data-distros').indexOf(d) < 0);
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

  function initCopy() {
    document.addEventListener('click', function (ev) {
      var b = ev.target.closest && ev.target.closest('button.copy');
      if (!b) return;
      var label = b.getAttribute('data-label') || b.textContent;
      b.setAttribute('data-label', label);
      copyText(b.getAttribute('data-copy') || '').then(function () {
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

  // Placeholder tips: the meaning shows beside the value on hover and on
  // keyboard focus, in one floating box that no code block clips.
  function initTips() {
    var tip = document.getElementById('ph-tip');
    if (!tip) return;
    all('var.ph[title]').forEach(function (v) {
      v.setAttribute('data-tip', v.getAttribute('title'));
      v.removeAttribute('title');
      v.setAttribute('aria-describedby', 'ph-tip');
    });
    var current = null;
    function show(v) {
      current = v;
      tip.textContent = v.getAttribute('data-tip');
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
    function find(ev) { return ev.target.closest && ev.target.closest('var.ph[data-tip]'); }
    document.addEventListener('mouseover', function (ev) { var v = find(ev); if (v) show(v); });
    document.addEventListener('mouseout', function (ev) { var v = find(ev); if (v && v !== document.activeElement) hide(v); });
    document.addEventListener('focusin', function (ev) { var v = find(ev); if (v) show(v); });
    document.addEventListener('focusout', function (ev) { var v = find(ev); if (v) hide(v); });
    document.addEventListener('keydown', function (ev) { if (ev.key === 'Escape' && current) hide(current); });
    window.addEventListener('scroll', function () { if (current) show(current); }, { passive: true });
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

  // Live reload under haguide serve.
  function initLive() {
    var url = doc.getAttribute('data-live');
    if (!url || !window.EventSource) return;
    var es = new EventSource(url);
    es.addEventListener('reload', function () { window.location.reload(); });
  }

  // Search: MiniSearch and the index built at build time load on first
  // use, as scripts (fetch is refused over file://).
  function initSearch() {
    var input = document.getElementById('search-input');
    var box = document.getElementById('search-results');
    if (!input || !box || !me) return;
    var root = me.getAttribute('data-root') || '';
    var ms = null, loading = null, active = -1, items = [];
    function addScript(src) {
      return new Promise(function (ok, fail) {
        var s = document.createElement('script');
        s.src = src;
        s.onload = ok;
        s.onerror = function () { fail(new Error('cannot load ' + src)); };
        document.head.appendChild(s);
      });
    }
    function load() {
      if (!loading) {
        loading = addScript(me.getAttribute('data-search')).then(function () {
          return addScript(me.getAttribute('data-index'));
        }).then(function () {
          var stop = {};
          (window.HAGUIDE_SEARCH_STOP || []).forEach(function (w) { stop[w] = true; });
          ms = window.MiniSearch.loadJS(window.HAGUIDE_SEARCH_INDEX, {
            fields: ['title', 'text'], storeFields: ['title', 'page', 'snip'],
            // The same terms as the index: lower case, no stop words.
            processTerm: function (t) { t = t.toLowerCase(); return stop[t] ? null : t; }
          });
          return ms;
        });
        loading.catch(function () { loading = null; });
      }
      return loading;
    }
    function close() {
      box.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    }
    function mark(el, text, terms) {
      var re = terms.length ? new RegExp('(' + terms.map(function (t) {
        return t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }).join('|') + ')', 'gi') : null;
      var last = 0, m;
      while (re && (m = re.exec(text)) !== null) {
        if (m[0] === '') { re.lastIndex++; continue; }
        el.appendChild(document.createTextNode(text.slice(last, m.index)));
        var k = document.createElement('mark');
        k.textContent = m[0];
        el.appendChild(k);
        last = m.index + m[0].length;
      }
      el.appendChild(document.createTextNode(text.slice(last)));
    }
    function select(i) {
      items.forEach(function (a, j) { a.setAttribute('aria-selected', j === i ? 'true' : 'false'); });
      active = i;
      if (i >= 0) {
        input.setAttribute('aria-activedescendant', items[i].id);
        items[i].scrollIntoView({ block: 'nearest' });
      }
    }
    function show(q) {
      box.textContent = '';
      items = [];
      active = -1;
      var res = ms.search(q, {
        boost: { title: 3 },
        prefix: function (t) { return t.length > 2; },
        fuzzy: function (t) { return t.length > 4 ? 0.2 : false; },
        combineWith: 'AND'
      }).slice(0, 12);
      if (!res.length) {
        var none = document.createElement('p');
        none.className = 'r-none';
        none.textContent = 'Nothing found for ' + q;
        box.appendChild(none);
      }
      res.forEach(function (r, i) {
        var a = document.createElement('a');
        a.href = root + r.id;
        a.id = 'search-result-' + i;
        a.setAttribute('role', 'option');
        a.setAttribute('aria-selected', 'false');
        var t = document.createElement('span');
        t.className = 'r-title';
        mark(t, r.title, r.terms);
        var p = document.createElement('span');
        p.className = 'r-page';
        p.textContent = ' ' + r.page;
        var sn = document.createElement('span');
        sn.className = 'r-snip';
        mark(sn, r.snip || '', r.terms);
        a.appendChild(t);
        a.appendChild(p);
        a.appendChild(sn);
        box.appendChild(a);
        items.push(a);
      });
      box.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      announce(res.length ? res.length + ' results' : 'No results');
    }
    function update() {
      var q = input.value.trim();
      if (q.length < 2) { close(); return; }
      load().then(function () { if (input.value.trim() === q) show(q); }, function (e) {
        box.textContent = 'Search is not available: ' + e.message;
        box.hidden = false;
      });
    }
    input.addEventListener('focus', function () { load(); });
    input.addEventListener('input', update);
    input.addEventListener('keydown', function (ev) {
      if (ev.key === 'ArrowDown' && items.length) { ev.preventDefault(); select((active + 1) % items.length); }
      else if (ev.key === 'ArrowUp' && items.length) { ev.preventDefault(); select((active - 1 + items.length) % items.length); }
      else if (ev.key === 'Enter') {
        ev.preventDefault();
        var a = items[active >= 0 ? active : 0];
        if (a) { close(); window.location.href = a.href; }
      } else if (ev.key === 'Escape') { close(); }
    });
    input.form && input.form.addEventListener('submit', function (ev) { ev.preventDefault(); });
    box.addEventListener('click', function () { close(); });
    document.addEventListener('click', function (ev) {
      if (!box.hidden && !box.contains(ev.target) && ev.target !== input) close();
    });
    document.addEventListener('keydown', function (ev) {
      var tag = (ev.target.tagName || '').toLowerCase();
      if (ev.key === '/' && tag !== 'input' && tag !== 'select' && tag !== 'textarea' && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
        ev.preventDefault();
        input.focus();
      }
    });
  }

  function init() {
    if (distro) applyDistro(distro);
    initTabs();
    initCopy();
    initTips();
    initTheme();
    initNav();
    initLive();
    initSearch();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
