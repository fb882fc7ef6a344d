/* haguide search: the search box's results, loaded by site.js on the
   first use of the box with MiniSearch and the index built at build time
   (search-index.js); the sections' texts for the snippets load by page,
   for the pages a search lists (assets/search-text/PAGE.js). No
   dependencies but MiniSearch. */
(function () {
  'use strict';
  window.HAGUIDE_SEARCH_UI = function (input, me, announce) {
    var box = document.getElementById('search-results');
    if (!box) return;
    var root = me.getAttribute('data-root') || '';
    var ms = null, loading = null, active = -1, items = [], texts = {};
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
            fields: ['title', 'text'], storeFields: ['title', 'page'],
            // The same terms as the index: lower case, no stop words.
            processTerm: function (t) { t = t.toLowerCase(); return stop[t] ? null : t; }
          });
          return ms;
        });
        loading.catch(function () { loading = null; });
      }
      return loading;
    }
    // loadTexts loads the texts of the pages of results that are not
    // loaded yet; a page whose texts cannot load shows no snippets.
    function loadTexts(res) {
      var srcs = window.HAGUIDE_SEARCH_TEXTS || {};
      return Promise.all(res.map(function (r) {
        var page = r.id.split('#')[0];
        if (!texts[page] && srcs[page]) texts[page] = addScript(root + srcs[page]).catch(function () {});
        return texts[page];
      }));
    }
    function find(q) {
      return ms.search(q, {
        boost: { title: 3 },
        prefix: function (t) { return t.length > 2; },
        fuzzy: function (t) { return t.length > 4 ? 0.2 : false; },
        combineWith: 'AND'
      }).slice(0, 12);
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
    // snippet is about 160 characters of a section's text around the
    // first word that begins with one of the terms matched (its start
    // when none is found).
    function snippet(text, terms) {
      var at = -1, lower = text.toLowerCase();
      terms.forEach(function (t) {
        var re = new RegExp('(^|[^a-z0-9])' + t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g'), m = re.exec(lower);
        if (m && (at < 0 || m.index + m[1].length < at)) at = m.index + m[1].length;
      });
      var start = Math.max(0, at - 60);
      if (start > 0) { var sp = text.indexOf(' ', start); if (sp >= 0 && sp < at) start = sp + 1; }
      var end = Math.min(text.length, start + 160);
      if (end < text.length) { var sp2 = text.lastIndexOf(' ', end); if (sp2 > Math.max(at, start + 80)) end = sp2; }
      return (start > 0 ? '\u2026' : '') + text.slice(start, end) + (end < text.length ? '\u2026' : '');
    }
    function select(i) {
      items.forEach(function (a, j) { a.setAttribute('aria-selected', j === i ? 'true' : 'false'); });
      active = i;
      if (i >= 0) {
        input.setAttribute('aria-activedescendant', items[i].id);
        items[i].scrollIntoView({ block: 'nearest' });
      }
    }
    function show(q, res) {
      box.textContent = '';
      items = [];
      active = -1;
      if (!res.length) {
        var none = document.createElement('p');
        none.className = 'r-none';
        none.textContent = 'Nothing found for ' + q;
        box.appendChild(none);
      }
      res.forEach(function (r, i) {
        var a = document.createElement('a');
        // The page it opens marks the terms in the section (site.js).
        var id = r.id.split('#');
        a.href = root + id[0] + '?hl=' + encodeURIComponent(r.terms.join(' ')) + (id[1] ? '#' + id[1] : '');
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
        mark(sn, snippet((window.HAGUIDE_SEARCH_TEXT || {})[r.id] || '', r.terms), r.terms);
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
      load().then(function () {
        if (input.value.trim() !== q) return;
        var res = find(q);
        return loadTexts(res).then(function () { if (input.value.trim() === q) show(q, res); });
      }, function (e) {
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
    // What happened before this script came: the box has focus (load
    // now), or a query was typed already.
    load();
    update();
  };

})();
