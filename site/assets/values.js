/* haguide values form: the dialog where the reader enters the values of
   the guide's placeholders, loaded by site.js when the reader first opens
   it. site.js keeps the values (localStorage) and shows them in the page;
   this builds the form, checks each value against its placeholder's type,
   generates secrets, and imports and exports --vars files. */
(function () {
  'use strict';
  var TYPES = {}/*haguide:types*/, PLACEHOLDERS = {}/*haguide:placeholders*/;
  var ALPHABET = ''/*haguide:alphabet*/, SECRET_LEN = 0/*haguide:secretlen*/;
  var IP = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])', ipRE = new RegExp('^' + IP + '(\\.' + IP + '){3}$');
  var dnsRE = /^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/;
  function re(r) { return function (v) { return r.test(v); }; }
  // The same checks as guide.ValueTypes (TestBrowserValueTypes holds them equal).
  var CHECK = {
    ipv4: re(ipRE),
    cidr: function (v) {
      var m = /^(.*)\/(3[0-2]|[12]?[0-9])$/.exec(v);
      if (!m || !ipRE.test(m[1])) return false;
      var n = m[1].split('.').reduce(function (a, x) { return a * 256 + Number(x); }, 0);
      return n % Math.pow(2, 32 - Number(m[2])) === 0;
    },
    host: function (v) { return ipRE.test(v) || v.length <= 253 && dnsRE.test(v) && /[^0-9.]/.test(v); },
    number: re(/^(0|[1-9][0-9]{0,5})$/),
    size: re(/^[1-9][0-9]{0,5}[KMG]?$/),
    name: re(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
    path: function (v) { return /^(\/[A-Za-z0-9._-]+)+\/?$|^\/$/.test(v) && v.split('/').indexOf('..') < 0; },
    password: re(/^[A-Za-z0-9][A-Za-z0-9._-]{7,127}$/),
    cookie: re(/^[A-Za-z0-9]{20,255}$/)
  };
  function valid(type, v) { return !CHECK[type] || CHECK[type](v); }
  window.haguideValid = valid;

  // api: what site.js shares. vals and node are read again (sync) before
  // each change, since another tab may have changed them since, and sent
  // back by save.
  window.HAGUIDE_VALUES_UI = function (api) {
    var vals = api.vals, node = api.node, nodes = api.nodes, addrName = api.addrName, announce = api.announce, all = api.all, reveal = false;
    function saveValues() { api.save(vals, node); }
    function sync() { var st = api.state(); vals = st.vals; node = st.node; }
    function applyValues() { api.reveal(reveal); }
    // typeOf is a placeholder's type: declared, or host for a node's address.
    function typeOf(name) {
      if (PLACEHOLDERS[name]) return PLACEHOLDERS[name];
      for (var i = 0; i < nodes.length; i++) if (addrName(nodes[i]) === name) return 'host';
      return '';
    }
    // varsFile is the values as a --vars file for haguide verify: the
    // declared placeholders' values (node addresses belong to the
    // inventory, so they are only noted).
    function varsFile() {
      sync();
      var out = ['# Values entered in the guide\u2019s site: haguide verify --vars FILE', '# Secrets are in clear: keep this file private.'];
      nodes.forEach(function (n) { if (vals[addrName(n)]) out.push('# ' + n + ': ansible_host ' + vals[addrName(n)] + ' in the inventory'); });
      Object.keys(vals).sort().forEach(function (k) { if (PLACEHOLDERS[k]) out.push(k + ': ' + vals[k]); });
      return out.join('\n') + '\n';
    }
    window.haguideVarsFile = varsFile;
    // importVars takes the values of a vars file (YAML NAME: value, or
    // NAME=value lines) that fit their placeholders, and says what it refused.
    function importVars(text) {
      sync();
      var took = 0, refused = [];
      text.split(/\r?\n/).forEach(function (line) {
        line = line.trim();
        if (!line || line.charAt(0) === '#' || line === '---') return;
        var m = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?::(?:\s+|$)|=)\s*(.*)$/.exec(line);
        if (!m) { refused.push('a line that is not NAME: value'); return; }
        var v = m[2].replace(/\s+#.*$/, ''), t = typeOf(m[1]);
        if (v.length >= 2 && (v.charAt(0) === '"' || v.charAt(0) === "'") && v.charAt(v.length - 1) === v.charAt(0)) v = v.slice(1, -1);
        if (!t) refused.push(m[1] + ' (not a placeholder of the guide)');
        else if (!valid(t, v)) refused.push(m[1] + ' (not ' + ((TYPES[t] || {}).form || t) + ')');
        else { vals[m[1]] = v; took++; }
      });
      saveValues();
      return 'Took ' + took + ' value' + (took === 1 ? '' : 's') + ' from the file.' + (refused.length ? ' Refused: ' + refused.join('; ') + '.' : '');
    }
    function isSecret(type) { return !!(TYPES[type] && TYPES[type].secret); }
    function newSecret() {
      var out = '', b = new Uint8Array(64), lim = 256 - 256 % ALPHABET.length;
      while (out.length < SECRET_LEN) {
        window.crypto.getRandomValues(b);
        for (var i = 0; i < b.length && out.length < SECRET_LEN; i++) if (b[i] < lim) out += ALPHABET.charAt(b[i] % ALPHABET.length);
      }
      return out;
    }
    // The form's fields: the page's placeholders in the order of its list,
    // the node addresses for NODE_ADDR, "this node" for NODE_NAME and NODE_ADDR.
    function fields() {
      var out = [], seen = {}, perNode = false;
      all('section.ph-list dd[data-type]').forEach(function (dd) {
        var dt = dd.previousElementSibling, name = dt ? dt.textContent : '';
        if (seen[name]) return;
        seen[name] = true;
        if (name === 'NODE_NAME' || name === 'NODE_ADDR') { perNode = true; if (name === 'NODE_NAME') return; }
        if (name === 'NODE_ADDR') {
          nodes.forEach(function (n) {
            var a = addrName(n);
            if (!seen[a]) out.push({ name: a, type: 'host', meaning: 'The management address of ' + n, example: '' });
            seen[a] = true;
          });
          return;
        }
        out.push({ name: name, type: dd.getAttribute('data-type'), meaning: dd.textContent, example: dd.getAttribute('data-example') || '' });
      });
      return { list: out, perNode: perNode };
    }
    function el(tag, attrs, text) {
      var e = document.createElement(tag);
      for (var k in attrs) e.setAttribute(k, attrs[k]);
      if (text) e.textContent = text;
      return e;
    }
    function buildValues(dlg) {
      var f = fields();
      var form = el('form', { method: 'dialog' });
      form.appendChild(el('h2', { id: 'values-title' }, 'Your values'));
      var note = el('p', { 'class': 'values-note' }, 'The values of your deployment for this page\u2019s placeholders. Every command and file of the guide then shows them, marked ');
      note.appendChild(el('var', { 'class': 'mine' }, 'like this'));
      note.appendChild(document.createTextNode(', and Copy gives them. They stay in this browser (its local storage, secrets included, not encrypted) and are never sent anywhere.'));
      form.appendChild(note);
      if (f.perNode && nodes.length) {
        var p = el('p', { 'class': 'values-node' });
        var lab = el('label', { 'for': 'values-node' }, 'This node ');
        var sel = el('select', { id: 'values-node', 'aria-describedby': 'values-node-m' });
        sel.appendChild(el('option', { value: '' }, 'none chosen'));
        nodes.forEach(function (n) { sel.appendChild(el('option', { value: n }, n)); });
        sel.value = node;
        sel.addEventListener('change', function () { sync(); node = sel.value; saveValues(); });
        p.appendChild(lab);
        p.appendChild(sel);
        p.appendChild(el('span', { id: 'values-node-m', 'class': 'meaning' }, ' NODE_NAME and NODE_ADDR in blocks that run on every node stand for this one; a block for one node shows that node\u2019s.'));
        form.appendChild(p);
      }
      var secrets = [];
      f.list.forEach(function (x) {
        var id = 'val-' + x.name, secret = isSecret(x.type);
        var d = el('div', { 'class': 'values-field' });
        var lab = el('label', { 'for': id });
        lab.appendChild(el('var', secret ? { 'class': 'secret' } : {}, x.name));
        d.appendChild(lab);
        var row = el('div', { 'class': 'values-input' });
        var inp = el('input', { id: id, type: secret ? 'password' : 'text', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off', 'data-name': x.name, 'data-type': x.type, 'aria-describedby': id + '-m ' + id + '-e' });
        if (x.example) inp.setAttribute('placeholder', x.example);
        inp.value = vals[x.name] || '';
        row.appendChild(inp);
        var err = el('p', { id: id + '-e', 'class': 'values-error', hidden: '' });
        function check() {
          sync();
          var v = inp.value;
          var ok = !v || valid(x.type, v);
          inp.setAttribute('aria-invalid', ok ? 'false' : 'true');
          err.hidden = ok;
          err.textContent = ok ? '' : 'Not used: want ' + ((TYPES[x.type] || {}).form || x.type) + '.';
          if (ok && v) vals[x.name] = v; else delete vals[x.name];
          saveValues();
        }
        inp.addEventListener('input', check);
        if (secret) {
          secrets.push(inp);
          var g = el('button', { type: 'button', 'class': 'values-gen', 'aria-label': 'Generate ' + x.name }, 'Generate');
          g.addEventListener('click', function () { inp.value = newSecret(); check(); });
          row.appendChild(g);
        }
        d.appendChild(row);
        d.appendChild(el('p', { id: id + '-m', 'class': 'meaning' }, x.meaning));
        d.appendChild(err);
        form.appendChild(d);
      });
      var act = el('p', { 'class': 'values-actions' });
      if (secrets.length) {
        var rl = el('label', {});
        var rc = el('input', { type: 'checkbox', id: 'values-reveal' });
        rc.checked = reveal;
        rc.addEventListener('change', function () {
          reveal = rc.checked;
          secrets.forEach(function (i) { i.type = reveal ? 'text' : 'password'; });
          applyValues();
        });
        rl.appendChild(rc);
        rl.appendChild(document.createTextNode(' Show secrets'));
        act.appendChild(rl);
      }
      var status = el('p', { id: 'values-status', role: 'status', 'class': 'values-note' });
      var exp = el('button', { type: 'button', id: 'values-export' }, 'Export a --vars file');
      exp.addEventListener('click', function () {
        var a = el('a', { href: URL.createObjectURL(new Blob([varsFile()], { type: 'text/yaml' })), download: 'haguide-vars.yaml' });
        document.body.appendChild(a);
        a.click();
        document.body.removeChild(a);
        status.textContent = 'Saved haguide-vars.yaml: give it to haguide verify --vars.';
      });
      act.appendChild(exp);
      var file = el('input', { type: 'file', id: 'values-import', accept: '.yaml,.yml,.env,.txt,.vars', hidden: '' });
      var imp = el('button', { type: 'button', 'aria-controls': 'values-import' }, 'Import a --vars file');
      imp.addEventListener('click', function () { file.click(); });
      file.addEventListener('change', function () {
        var f = file.files && file.files[0];
        if (!f) return;
        var r = new FileReader();
        r.onload = function () {
          status.textContent = importVars(String(r.result));
          all('input[data-name]', form).forEach(function (i) { i.value = vals[i.getAttribute('data-name')] || ''; i.setAttribute('aria-invalid', 'false'); });
          file.value = '';
        };
        r.readAsText(f);
      });
      act.appendChild(imp);
      act.appendChild(file);
      var clear = el('button', { type: 'button', id: 'values-clear' }, 'Forget all values');
      clear.addEventListener('click', function () {
        vals = {}; node = '';
        all('input[data-name]', form).forEach(function (i) { i.value = ''; i.setAttribute('aria-invalid', 'false'); });
        all('.values-error', form).forEach(function (e) { e.hidden = true; });
        if (form.querySelector('#values-node')) form.querySelector('#values-node').value = '';
        saveValues();
        announce('Your values are forgotten');
      });
      act.appendChild(clear);
      act.appendChild(el('button', { value: 'close', 'class': 'values-close' }, 'Close'));
      form.appendChild(act);
      form.appendChild(status);
      dlg.appendChild(form);
    }
    var dlg = el('dialog', { id: 'values', 'class': 'values', 'aria-labelledby': 'values-title' });
    document.body.appendChild(dlg);
    buildValues(dlg);
    return function () {
      sync();
      all('input[data-name]', dlg).forEach(function (i) { if (i.getAttribute('aria-invalid') !== 'true') i.value = vals[i.getAttribute('data-name')] || ''; });
      var sel = dlg.querySelector('#values-node');
      if (sel) sel.value = node;
      if (dlg.showModal) dlg.showModal(); else dlg.setAttribute('open', '');
    };
  };
})();
