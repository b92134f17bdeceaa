/* SPDX-License-Identifier: ISC */
/*
 * memscope's HTML report: draws the figures memscope embedded in the page
 * (the element #memscope-data) with nothing but the browser. Sites come
 * as [stack, live, peak, allocated, allocations, temporary, leaked], a
 * stack as indices into the frame table, outermost frame first.
 * window.memscopeReport exposes the state and what the flame graph drew.
 */
'use strict';
(function () {
	var t0 = performance.now();
	var D = JSON.parse(document.getElementById('memscope-data').textContent);
	var F = D.frames;
	var METRICS = [
		['live', 'live at exit', true], ['peak', 'live at the peak', true],
		['allocated', 'allocated', true], ['allocations', 'allocations', false],
		['temporary', 'temporary allocations', false], ['leaked', 'leaked', true]
	];
	var NM = METRICS.length;
	var app = document.getElementById('app');
	var R = window.memscopeReport = { data: D, proc: 0, metric: 0,
	    search: '', zoom: null, drawn: [], timings: {} };
	var P, tree, inverted, flame = {}, tables = {};

	function el(tag, attrs, kids) {
		var e = document.createElement(tag);
		for (var k in attrs || {}) {
			if (k === 'text')
				e.textContent = attrs[k];
			else if (k.slice(0, 2) === 'on')
				e.addEventListener(k.slice(2), attrs[k]);
			else
				e.setAttribute(k, attrs[k]);
		}
		(kids || []).forEach(function (c) {
			if (c != null)
				e.appendChild(typeof c === 'string' ?
				    document.createTextNode(c) : c);
		});
		return e;
	}
	var SVG = 'http://www.w3.org/2000/svg';
	function sv(tag, attrs, text) {
		var e = document.createElementNS(SVG, tag);
		for (var k in attrs)
			e.setAttribute(k, attrs[k]);
		if (text != null)
			e.appendChild(document.createTextNode(text));
		return e;
	}
	function bytes(v) {
		var u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'], i = 0;
		while (v >= 1024 && i < u.length - 1) {
			v /= 1024;
			i++;
		}
		return (i === 0 ? String(v) : v.toFixed(v < 10 ? 2 : 1)) + ' ' + u[i];
	}
	function count(v) {
		return String(v).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
	}
	function fig(m, v) {
		return METRICS[m][2] ? bytes(v) : count(v);
	}
	function loc(f) {
		var fr = F[f];
		if (fr[1])
			return fr[1].replace(/^.*\//, '') + (fr[2] ? ':' + fr[2] : '');
		return fr[3] ? fr[3].replace(/^.*\//, '') : '';
	}
	function base(s) {
		return s ? s.replace(/^.*\//, '') : '?';
	}

	/*
	 * The call tree of the process, merged by function name; inverted, the
	 * allocating functions first, then their callers. A node's children
	 * and their orders are made when first needed: a large profile makes
	 * a node per frame of many stacks.
	 */
	function node(name, f, parent) {
		return { name: name, f: f, v: new Float64Array(NM), kids: null,
		    parent: parent, sorted: null };
	}
	function build(p, inv) {
		var root = node(base(p.exe), -1, null);
		p.sites.forEach(function (s) {
			var st = s[0], n = root, m, i;
			for (m = 0; m < NM; m++)
				root.v[m] += s[m + 1];
			for (i = 0; i < st.length; i++) {
				var f = st[inv ? st.length - 1 - i : i], name = F[f][0];
				var c = n.kids ? n.kids.get(name) : undefined;
				if (!c) {
					c = node(name, f, n);
					if (!n.kids)
						n.kids = new Map();
					n.kids.set(name, c);
				}
				for (m = 0; m < NM; m++)
					c.v[m] += s[m + 1];
				n = c;
			}
		});
		return root;
	}
	/* Children by metric m, largest first (kept: redraws reuse it). */
	function kids(n, m) {
		if (!n.kids)
			return [];
		if (!n.sorted)
			n.sorted = [];
		if (!n.sorted[m]) {
			n.sorted[m] = Array.from(n.kids.values()).filter(function (c) {
				return c.v[m] > 0;
			}).sort(function (a, b) {
				return b.v[m] - a.v[m] || (a.name < b.name ? -1 : 1);
			});
		}
		return n.sorted[m];
	}

	function section(title, id) {
		var s = el('section', { id: id }, [el('h2', { text: title })]);
		app.appendChild(s);
		return s;
	}

	function exitText(p) {
		if (p.still_running)
			return 'still running';
		if (p.replaced)
			return 'replaced by exec';
		if (!p.exit)
			return 'not known';
		return p.exit.signal != null ? 'killed by signal ' + p.exit.signal :
		    'exited with ' + p.exit.code;
	}

	function drawSummary() {
		var s = section('Summary', 'summary'), u = P.summary;
		var items = [
			[bytes(u.bytes_allocated), 'allocated', 'bytes_allocated'],
			[count(u.allocations), 'allocations', 'allocations'],
			[count(u.frees), 'frees', 'frees'],
			[count(u.reallocs), 'reallocs', 'reallocs'],
			[bytes(u.peak_live_bytes), 'peak (' + count(u.peak_live_blocks) +
			    ' blocks)', 'peak_live_bytes'],
			[bytes(u.live_bytes_at_exit), 'live at exit (' +
			    count(u.live_blocks_at_exit) + ' blocks)', 'live_bytes_at_exit'],
			[count(u.temporary_allocations), 'temporary allocations',
			    'temporary_allocations'],
			[count(u.mmaps) + ' / ' + count(u.munmaps), 'mmaps / munmaps'],
			[count(u.events), 'events'],
			[exitText(P), 'exit', 'exit'],
			[count(P.threads), 'threads']
		];
		if (u.dropped_events || u.anomalies)
			items.push([count(u.dropped_events) + ' / ' + count(u.anomalies),
			    'events lost / anomalies']);
		var g = el('div', { class: 'figs' });
		items.forEach(function (it) {
			var d = el('div', { class: 'fig' }, [el('b', { text: it[0] }),
			    el('span', { text: it[1] })]);
			if (it[2])
				d.setAttribute('data-key', it[2]);
			g.appendChild(d);
		});
		s.appendChild(g);
		var l = P.leaks;
		s.appendChild(el('h2', { text: 'Leak summary' }));
		if (!l) {
			s.appendChild(el('p', { class: 'note', text: 'No leak check.' }));
			return;
		}
		var lg = el('div', { class: 'figs', id: 'leak-summary' });
		['definitely', 'indirectly', 'possibly', 'reachable', 'suppressed']
		    .forEach(function (k) {
			lg.appendChild(el('div', { class: 'fig', 'data-key': k }, [
			    el('b', { class: k === 'definitely' && l[k].bytes ? 'bad' : '',
			    text: bytes(l[k].bytes) }),
			    el('span', { text: (k === 'reachable' ? 'still reachable' :
			    k === 'suppressed' ? k : k + ' lost') + ' in ' +
			    count(l[k].blocks) + ' blocks' })]));
		});
		s.appendChild(lg);
	}

	/* A line chart of ys over xs, w by h, with a y label for figure. */
	function chart(xs, ys, w, h, label, marks) {
		var svg = sv('svg', { width: '100%', viewBox: '0 0 ' + w + ' ' + h });
		var L = 70, B = 18, xmax = Math.max(1, xs[xs.length - 1] || 1);
		var ymax = Math.max(1, Math.max.apply(null, ys.concat(marks.map(function (m) {
			return m.y || 0;
		}))));
		function X(x) { return L + (w - L - 8) * x / xmax; }
		function Y(y) { return 6 + (h - B - 6) * (1 - y / ymax); }
		for (var i = 0; i <= 4; i++) {
			var yv = ymax * i / 4;
			svg.appendChild(sv('line', { x1: L, x2: w - 8, y1: Y(yv), y2: Y(yv),
			    stroke: '#e0e0e0' }));
			svg.appendChild(sv('text', { x: L - 4, y: Y(yv) + 4,
			    'text-anchor': 'end' }, label(yv)));
		}
		svg.appendChild(sv('text', { x: w - 8, y: h - 4, 'text-anchor': 'end' },
		    (xmax / 1000).toFixed(xmax < 10000 ? 2 : 1) + ' s'));
		svg.appendChild(sv('text', { x: L, y: h - 4 }, '0 s'));
		var pts = xs.map(function (x, k) {
			return X(x).toFixed(1) + ',' + Y(ys[k]).toFixed(1);
		}).join(' ');
		if (xs.length === 1)
			pts += ' ' + X(xmax) + ',' + Y(ys[0]).toFixed(1);
		svg.appendChild(sv('polyline', { points: pts, fill: 'none',
		    stroke: '#1565c0', 'stroke-width': 1.5,
		    'vector-effect': 'non-scaling-stroke' }));
		marks.forEach(function (m) {
			var g = sv('g', { class: 'mark' });
			g.appendChild(sv('line', { x1: X(m.x), x2: X(m.x), y1: 6,
			    y2: h - B, stroke: '#c62828', 'stroke-dasharray': '4 3' }));
			g.appendChild(sv('circle', { cx: X(m.x), cy: Y(m.y), r: 3.5,
			    fill: '#c62828' }));
			g.appendChild(sv('text', { x: X(m.x) + 5, y: 16, fill: '#c62828' },
			    m.text));
			g.appendChild(sv('title', {}, m.text));
			svg.appendChild(g);
		});
		return svg;
	}

	function drawGrowth() {
		var s = section('Heap over time', 'growth'), g = P.growth;
		if (g.length === 0) {
			s.appendChild(el('p', { class: 'note', text: 'No growth series.' }));
			return;
		}
		/* a run starts with an empty heap; an attach, with what it had */
		if (!P.attached && g[0][0] > 0)
			g = [[0, 0, 0, 0, 0]].concat(g);
		var xs = g.map(function (t) { return t[0]; });
		s.appendChild(el('div', { class: 'note', text: 'Live bytes; peak ' +
		    bytes(P.peak.live_bytes) + ' in ' + count(P.peak.live_blocks) +
		    ' blocks, reached after ' + (P.peak.after_ms / 1000).toFixed(3) +
		    ' s. The process\'s resident size is not in the series.' }));
		s.appendChild(chart(xs, g.map(function (t) { return t[1]; }), 900, 180,
		    bytes, [{ x: P.peak.after_ms, y: P.peak.live_bytes,
		    text: 'peak ' + bytes(P.peak.live_bytes) }]));
		var rate = g.map(function (t, i) {
			var dt = i ? t[0] - g[i - 1][0] : t[0];
			var db = i ? t[3] - g[i - 1][3] : t[3];
			return dt > 0 ? db * 1000 / dt : 0;
		});
		s.appendChild(el('div', { class: 'note', text: 'Allocation rate ' +
		    '(bytes allocated a second, between ticks of the series)' }));
		s.appendChild(chart(xs, rate, 900, 120, function (v) {
			return bytes(Math.round(v)) + '/s';
		}, []));
	}

	/* The flame graph, as an icicle: the program at the top. */
	var ROW = 17;
	function hue(name) {
		var h = 0;
		for (var i = 0; i < name.length; i++)
			h = (h * 31 + name.charCodeAt(i)) | 0;
		return h;
	}
	function matches(n) {
		if (!R.search)
			return false;
		var q = R.search.toLowerCase(), fr = n.f >= 0 ? F[n.f] : null;
		return n.name.toLowerCase().indexOf(q) >= 0 ||
		    (fr && fr[1] && fr[1].toLowerCase().indexOf(q) >= 0);
	}
	function drawFlame() {
		var t = performance.now(), m = R.metric, c = flame.canvas;
		var W = c.parentNode.clientWidth || 1000, rects = [];
		var top = R.zoom || tree, total = top.v[m], matched = 0;
		var chain = [];
		for (var a = top.parent; a; a = a.parent)
			chain.unshift(a);
		chain.forEach(function (a, d) {
			rects.push({ n: a, x: 0, w: W, d: d, anc: true, hit: matches(a) });
		});
		var d0 = chain.length, maxd = d0;
		function walk(n, x, d) {
			var w = total ? n.v[m] / total * W : 0;
			if (w < 0.4)
				return;
			var hit = matches(n);
			rects.push({ n: n, x: x, w: w, d: d, hit: hit });
			if (d > maxd)
				maxd = d;
			kids(n, m).forEach(function (k) {
				walk(k, x, d + 1);
				x += total ? k.v[m] / total * W : 0;
			});
		}
		/* what the matching frames weigh, the narrowest too; a match
		 * under a match counted once */
		function weigh(n) {
			if (matches(n))
				matched += n.v[m];
			else if (n.kids)
				n.kids.forEach(weigh);
		}
		if (total > 0)
			walk(top, 0, d0);
		if (R.search && total > 0)
			weigh(top);
		var dpr = window.devicePixelRatio || 1, H = (maxd + 1) * ROW;
		c.width = Math.round(W * dpr);
		c.height = Math.round(H * dpr);
		c.style.height = H + 'px';
		var g = c.getContext('2d');
		g.setTransform(dpr, 0, 0, dpr, 0, 0);
		g.font = '11px system-ui, sans-serif';
		g.textBaseline = 'middle';
		rects.forEach(function (r) {
			var h = hue(r.n.name);
			g.fillStyle = r.hit ? '#d500f9' : r.anc ? '#cfd8dc' :
			    'hsl(' + (10 + (h & 31)) + ',' + (70 + (h >> 5 & 15)) + '%,' +
			    (58 + (h >> 9 & 15)) + '%)';
			g.fillRect(r.x, r.d * ROW, Math.max(r.w - 0.5, 0.5), ROW - 1);
			if (r.w > 28) {
				g.fillStyle = '#111';
				var label = r.n.name, room = Math.floor((r.w - 6) / 6.2);
				if (label.length > room)
					label = label.slice(0, Math.max(room - 1, 1)) + '\u2026';
				g.fillText(label, r.x + 3, r.d * ROW + ROW / 2);
			}
		});
		R.drawn = rects.map(function (r) {
			return { name: r.n.name, depth: r.d, x: r.x, width: r.w,
			    value: r.n.v[m], match: r.hit };
		});
		flame.rects = rects;
		flame.info.textContent = (total ? METRICS[m][1] + ': ' + fig(m, total) +
		    (R.zoom ? ' under ' + R.zoom.name : '') :
		    'Nothing ' + METRICS[m][1] + ' here.') +
		    (R.search ? '; "' + R.search + '" matches ' + fig(m, matched) +
		    (total ? ' (' + (100 * matched / total).toFixed(1) + '%)' : '') : '');
		R.matched = matched;
		R.timings.flame = performance.now() - t;
	}
	function hitAt(ev) {
		var b = flame.canvas.getBoundingClientRect(), x = ev.clientX - b.left;
		var d = Math.floor((ev.clientY - b.top) / ROW), rs = flame.rects || [];
		for (var i = 0; i < rs.length; i++)
			if (rs[i].d === d && x >= rs[i].x && x < rs[i].x + rs[i].w)
				return rs[i];
		return null;
	}
	function tip(ev) {
		var r = hitAt(ev), T = flame.tip;
		if (!r) {
			T.style.display = 'none';
			return;
		}
		var n = r.n, fr = n.f >= 0 ? F[n.f] : null, tot = tree.v;
		T.textContent = '';
		T.appendChild(el('b', { text: n.name }));
		if (fr)
			T.appendChild(el('div', { class: 'loc', text: (fr[1] ?
			    fr[1] + (fr[2] ? ':' + fr[2] : '') : '') +
			    (fr[3] ? ' in ' + base(fr[3]) : '') }));
		METRICS.forEach(function (M, m) {
			T.appendChild(el('div', { text: M[1] + ': ' + fig(m, n.v[m]) +
			    (tot[m] ? ' (' + (100 * n.v[m] / tot[m]).toFixed(1) + '%)' : '') }));
		});
		T.style.display = 'block';
		T.style.left = Math.min(ev.clientX + 12, window.innerWidth - 380) + 'px';
		T.style.top = (ev.clientY + 14) + 'px';
	}
	function setMetric(m) {
		R.metric = m;
		flame.metric.value = String(m);
		drawFlame();
	}
	function setSearch(q) {
		R.search = q;
		flame.search.value = q;
		drawFlame();
	}
	function setZoom(n) {
		R.zoom = n && n !== tree ? n : null;
		drawFlame();
	}
	function drawFlameSection() {
		var s = section('Flame graph', 'flame');
		var sel = el('select', { id: 'metric', onchange: function () {
			setMetric(+sel.value);
		} });
		METRICS.forEach(function (M, m) {
			var o = el('option', { value: String(m), text: M[1] });
			sel.appendChild(o);
		});
		sel.value = String(R.metric);
		var q = el('input', { id: 'search', type: 'search',
		    placeholder: 'search functions, files', oninput: function () {
			setSearch(q.value);
		} });
		s.appendChild(el('div', { class: 'controls' }, [
		    el('label', {}, ['weight: ', sel]), q,
		    el('button', { id: 'unzoom', text: 'Reset zoom', onclick: function () {
			setZoom(null);
		} }), el('span', { class: 'note', id: 'flame-info' })]));
		var wrap = el('div', {}), c = el('canvas', { id: 'flame-canvas' });
		wrap.appendChild(c);
		s.appendChild(wrap);
		s.appendChild(el('div', { class: 'note', text: 'Click a frame to ' +
		    'zoom into it, a frame above to zoom out. Frames are merged by ' +
		    'function name.' }));
		flame = { canvas: c, metric: sel, search: q,
		    info: s.querySelector('#flame-info'), tip: document.getElementById('tip') };
		c.addEventListener('mousemove', tip);
		c.addEventListener('mouseleave', function () {
			flame.tip.style.display = 'none';
		});
		c.addEventListener('click', function (ev) {
			var r = hitAt(ev);
			if (r)
				setZoom(r.n);
		});
	}

	/* A call tree as a table whose rows open: top-down or bottom-up. */
	function treeTable(id, root, title) {
		var st = { root: root, open: new Set(), col: R.metric, id: id };
		var thead = el('tr', {}), tbody = el('tbody');
		var cols = [['Function', 'fn'], ['Location', 'loc']].concat(
		    METRICS.map(function (M) { return [M[1], '']; }));
		cols.forEach(function (c, k) {
			var th = el('th', { class: c[1], text: c[0] });
			if (k >= 2)
				th.addEventListener('click', function () {
					st.col = k - 2;
					render();
				});
			thead.appendChild(th);
		});
		function rows(n, depth, out) {
			var ks = kids(n, st.col), shown = ks.slice(0, 200);
			shown.forEach(function (k) {
				var key = path(k), more = k.kids !== null;
				var open = st.open.has(key);
				var tr = el('tr', {}, [el('td', { class: 'fn',
				    style: 'padding-left:' + (6 + 14 * depth) + 'px',
				    title: k.name, text: (more ? (open ? '\u25be ' : '\u25b8 ') :
				    '\u00a0\u00a0 ') + k.name }), el('td', { class: 'loc',
				    text: loc(k.f) })]);
				for (var m = 0; m < NM; m++)
					tr.appendChild(el('td', { text: fig(m, k.v[m]) }));
				if (more)
					tr.firstChild.addEventListener('click', function () {
						if (open)
							st.open.delete(key);
						else
							st.open.add(key);
						render();
					});
				out.push(tr);
				if (open)
					rows(k, depth + 1, out);
			});
			if (ks.length > shown.length)
				out.push(el('tr', { class: 'more' }, [el('td', { class: 'fn',
				    colspan: 2 + NM, text: (ks.length - shown.length) +
				    ' more, smaller' })]));
		}
		function path(n) {
			var p = [];
			for (; n && n.parent; n = n.parent)
				p.push(n.name);
			return p.join('\u0001');
		}
		function render() {
			Array.from(thead.children).forEach(function (th, k) {
				th.classList.toggle('sorted', k === st.col + 2);
			});
			var out = [];
			rows(st.root, 0, out);
			tbody.textContent = '';
			out.forEach(function (tr) { tbody.appendChild(tr); });
		}
		/* the heaviest path of the tree opened a few levels down */
		for (var n = root, d = 0; d < 4; d++) {
			var ks = kids(n, st.col);
			if (!ks.length)
				break;
			n = ks[0];
			if (n.kids)
				st.open.add(path(n));
		}
		var t = el('table', { id: id }, [el('thead', {}, [thead]), tbody]);
		st.render = render;
		st.el = el('div', { class: 'scroll' }, [el('div', { class: 'note',
		    text: title }), t]);
		render();
		return st;
	}
	function drawTables() {
		var s = section('Call tree', 'calls');
		tables.down = treeTable('top-down', tree, 'Top-down: each ' +
		    'function with what was allocated under it (it and its callees). ' +
		    'Click a column to sort by it, a function to open it.');
		tables.up = null;
		var box = el('div', {}, [tables.down.el]);
		var b1 = el('button', { class: 'on', text: 'Top-down' });
		var b2 = el('button', { text: 'Bottom-up (callers)' });
		function show(which) {
			if (which === 'up' && !tables.up) {
				inverted = build(P, true);
				tables.up = treeTable('bottom-up', inverted, 'Bottom-up: ' +
				    'each allocating function with what it allocated itself; ' +
				    'open it for its callers.');
			}
			box.textContent = '';
			box.appendChild(tables[which].el);
			b1.classList.toggle('on', which === 'down');
			b2.classList.toggle('on', which === 'up');
		}
		b1.addEventListener('click', function () { show('down'); });
		b2.addEventListener('click', function () { show('up'); });
		s.appendChild(el('div', { class: 'tabs controls' }, [b1, b2]));
		s.appendChild(box);
	}

	function drawLeaks() {
		var s = section('Loss records', 'leaks'), l = P.leaks;
		if (!l) {
			s.appendChild(el('p', { class: 'note', text: 'No leak check.' }));
			return;
		}
		if (!l.records.length) {
			s.appendChild(el('p', { class: 'note', text: 'No loss record.' }));
			return;
		}
		l.records.slice(0, 500).forEach(function (r, i) {
			var ol = el('ol');
			for (var k = r.stack.length - 1; k >= 0; k--) {
				var f = r.stack[k], fr = F[f];
				ol.appendChild(el('li', { text: fr[0] + (fr[1] ? ' (' + loc(f) +
				    ')' : '') + (fr[3] ? ' in ' + base(fr[3]) : '') }));
			}
			var det = el('details', { class: 'record' }, [el('summary', { text: bytes(r.bytes) + ' in ' + count(r.blocks) +
			    ' blocks ' + (r.kind === 'reachable' ? 'still reachable' :
			    r.kind + ' lost') + (r.indirect_bytes ? ' (+' +
			    bytes(r.indirect_bytes) + ' indirectly)' : '') +
			    (r.suppressed_by ? ', suppressed by ' + r.suppressed_by : '') +
			    ', record ' + (i + 1) + ' of ' + l.records.length }), ol]);
			det.open = i < 3;
			s.appendChild(det);
		});
	}

	/* Bars: each item a group of values (one colour each). */
	function bars(items, series, colors, w, h) {
		var svg = sv('svg', { width: '100%', viewBox: '0 0 ' + w + ' ' + h }),
		    L = 60, B = 40, T = 8;
		var max = 1;
		items.forEach(function (it) {
			series.forEach(function (k) { max = Math.max(max, it[k]); });
		});
		var slot = (w - L) / Math.max(items.length, 1);
		function Y(v) { return T + (h - B - T) * (1 - v / max); }
		[0, max / 2, max].forEach(function (v) {
			v = Math.round(v);
			svg.appendChild(sv('line', { x1: L, x2: w, y1: Y(v), y2: Y(v),
			    stroke: '#e0e0e0' }));
			svg.appendChild(sv('text', { x: L - 4, y: Y(v) + 4,
			    'text-anchor': 'end' }, bytes(v)));
		});
		items.forEach(function (it, i) {
			var bw = Math.max(slot * 0.8 / series.length, 1);
			series.forEach(function (k, j) {
				var r = sv('rect', { x: L + i * slot + j * bw, y: Y(it[k]),
				    width: bw, height: (h - B) - Y(it[k]), fill: colors[j] });
				r.appendChild(sv('title', {}, it.label + ': ' + k.replace(/_/g, ' ') +
				    ' ' + bytes(it[k])));
				svg.appendChild(r);
			});
			if (items.length < 40 || i % Math.ceil(items.length / 30) === 0)
				svg.appendChild(sv('text', { x: L + i * slot, y: h - B + 12,
				    transform: 'rotate(30 ' + (L + i * slot) + ' ' + (h - B + 12) + ')' },
				    it.label));
		});
		return svg;
	}
	function range(a, b) {
		return b == null ? bytes(a) + '+' : a === b ? bytes(a) : a + '-' + bytes(b);
	}
	function drawBins() {
		var s = section('Size bins', 'bins');
		var live = P.bins.filter(function (b) { return b.live_blocks > 0; });
		s.appendChild(el('div', { class: 'legend' }, [
		    el('span', {}, [el('i', { style: 'background:#1565c0' }),
		    'requested (live at exit)']),
		    el('span', {}, [el('i', { style: 'background:#ff8f00' }),
		    P.usable_known ? 'usable (what the allocator gave)' :
		    'usable: not known for this run'])]));
		if (!live.length)
			s.appendChild(el('p', { class: 'note', text: 'No block live at exit.' }));
		else
			s.appendChild(bars(live.map(function (b) {
				return { label: b.mmap ? 'mmapped' : range(b.min, b.max),
				    requested: b.live_bytes,
				    usable: P.usable_known ? b.usable_bytes : 0 };
			}), ['requested', 'usable'], ['#1565c0', '#ff8f00'], 900, 200));
		s.appendChild(el('h2', { text: 'The allocator\'s free chunks' }));
		if (!P.free_chunks || !P.free_chunks.length) {
			s.appendChild(el('p', { class: 'note', text: P.free_chunks ?
			    'No free chunk.' : 'The allocator gave no figures (not glibc\'s).' }));
			return;
		}
		s.appendChild(bars(P.free_chunks.map(function (c) {
			return { label: range(c.from, c.to) + ' (' + count(c.count) + ')',
			    free: c.bytes };
		}), ['free'], ['#6a1b9a'], 900, 180));
	}

	var KIND_COLORS = { text: '#e53935', rodata: '#ab47bc', data: '#fdd835',
	    bss: '#ffee58', heap: '#43a047', stack: '#00acc1',
	    thread_stack: '#4dd0e1', guard: '#9e9e9e', args_env: '#1e88e5',
	    vdso: '#ec407a', anon: '#5c6bc0', file: '#bdbdbd', shm: '#66bb6a' };
	function drawLayout() {
		var s = section('Address space at the end', 'layout'), L = P.layout;
		if (!L) {
			s.appendChild(el('p', { class: 'note', text: 'No layout: the ' +
			    'process was not held at its end.' }));
			return;
		}
		var kinds = L.by_kind.filter(function (k) { return k.size > 0; });
		var total = kinds.reduce(function (a, k) { return a + k.size; }, 0) || 1;
		var bar = el('div', { class: 'bar' }), leg = el('div', { class: 'legend' });
		kinds.forEach(function (k) {
			var c = KIND_COLORS[k.kind] || '#888';
			var d = el('div', { style: 'flex:' + (k.size / total) + ' 0 0;background:' + c,
			    title: k.kind + ': ' + bytes(k.size) + ', resident ' + bytes(k.rss) });
			d.appendChild(el('i', { style: 'width:' + (100 * k.rss / k.size) + '%' }));
			bar.appendChild(d);
			leg.appendChild(el('span', {}, [el('i', { style: 'background:' + c }),
			    k.kind + ' ' + bytes(k.size)]));
		});
		s.appendChild(el('div', { class: 'note', text: 'Virtual size by kind, ' +
		    'the resident share darker; ' + bytes(L.vsz) + ' mapped, ' +
		    bytes(L.rss) + ' resident.' }));
		s.appendChild(bar);
		s.appendChild(leg);
		var t = el('table', {}, [el('tr', {}, ['kind', 'size', 'rss', 'pss',
		    'swap', 'private dirty'].map(function (h, i) {
			return el('th', { class: i ? '' : 'fn', text: h });
		}))]);
		kinds.forEach(function (k) {
			t.appendChild(el('tr', {}, [el('td', { class: 'fn', text: k.kind })]
			    .concat([k.size, k.rss, k.pss, k.swap, k.private_dirty]
			    .map(function (v) { return el('td', { text: bytes(v) }); }))));
		});
		s.appendChild(t);
	}

	function show(i) {
		var t = performance.now();
		R.proc = i;
		R.zoom = null;
		P = D.processes[i];
		app.textContent = '';
		tree = build(P, false);
		R.tree = tree;
		var hd = el('header', {}, [el('h1', { text: 'memscope' }),
		    el('span', { class: 'cmd', text: (P.argv || [P.exe || '?']).join(' ') }),
		    el('span', { text: 'pid ' + P.pid + (P.forked ? ', forked from ' +
		    P.ppid : '') + (P.attached ? ', attached' : '') })]);
		if (D.processes.length > 1) {
			var sel = el('select', { id: 'process', onchange: function () {
				show(+sel.value);
			} });
			D.processes.forEach(function (p, k) {
				sel.appendChild(el('option', { value: String(k),
				    text: p.pid + ' ' + base(p.exe) }));
			});
			sel.value = String(i);
			hd.appendChild(el('label', {}, ['process: ', sel]));
		}
		app.appendChild(hd);
		var mainEl = el('main');
		app.appendChild(mainEl);
		var keep = app;
		app = mainEl;
		drawSummary();
		drawGrowth();
		drawFlameSection();
		drawTables();
		drawLeaks();
		drawBins();
		drawLayout();
		app = keep;
		drawFlame();
		R.timings.show = performance.now() - t;
	}

	document.body.appendChild(el('div', { id: 'tip' }));
	if (!D.processes.length) {
		app.appendChild(el('p', { text: 'memscope saw no process.' }));
		return;
	}
	/* the program as it ended: the last image of its pid, after any
	 * exec (a wrapper script's interpreter, env ...) */
	var start = 0;
	D.processes.forEach(function (p, k) {
		if (p.pid === D.processes[0].pid)
			start = k;
	});
	/* a leak check that found leaks opens on them; else live at exit */
	var first = D.processes[start];
	R.metric = first.leaks && (first.leaks.definitely.bytes ||
	    first.leaks.indirectly.bytes) ? 5 : first.summary.live_bytes_at_exit ? 0 : 2;
	show(start);
	var resize;
	window.addEventListener('resize', function () {
		clearTimeout(resize);
		resize = setTimeout(drawFlame, 100);
	});
	R.setMetric = setMetric;
	R.setSearch = setSearch;
	R.setZoom = setZoom;
	R.show = show;
	R.metrics = METRICS.map(function (M) { return M[0]; });
	R.timings.open = performance.now() - t0;
	/* since the page was asked for: its parse and the JSON's too */
	R.timings.ready = performance.now();
})();
