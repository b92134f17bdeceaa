/* SPDX-License-Identifier: ISC */
/*
 * Put at the top of a memscope HTML report by tests/run-html.test, run by
 * headless Chromium: records every console error and uncaught exception,
 * then, once the page has loaded, works its controls as a user would
 * (the metric menu, the search box, a click on a frame, a column of the
 * tables) and writes what the page drew into <pre id="check">, as JSON.
 */
(function () {
	var errors = [];
	var error = console.error;
	console.error = function () {
		errors.push('console.error: ' + Array.prototype.join.call(arguments, ' '));
		error.apply(console, arguments);
	};
	window.addEventListener('error', function (e) {
		errors.push('uncaught: ' + e.message + ' at ' + e.lineno + ':' + e.colno);
	});
	window.addEventListener('unhandledrejection', function (e) {
		errors.push('unhandled rejection: ' + e.reason);
	});

	function frames(R, depth) {
		return R.drawn.filter(function (d) { return d.depth === depth; })
		    .map(function (d) { return d.name; }).sort();
	}
	function drawing(R) {
		return JSON.stringify(R.drawn);
	}
	function fire(el, type) {
		el.dispatchEvent(new Event(type, { bubbles: true }));
	}
	function mouse(canvas, type, d) {
		var b = canvas.getBoundingClientRect();
		canvas.dispatchEvent(new MouseEvent(type, { bubbles: true,
		    clientX: b.left + d.x + d.width / 2, clientY: b.top + d.depth * 17 + 8 }));
	}

	window.addEventListener('load', function () {
		var out = { errors: errors };
		try {
			var R = window.memscopeReport, sel = document.getElementById('metric');
			var q = document.getElementById('search');
			var canvas = document.getElementById('flame-canvas');
			out.open_ms = R.timings.open;
			out.ready_ms = R.timings.ready;
			out.first_metric = R.metrics[R.metric];
			out.processes = R.data.processes.length;
			out.pid = R.data.processes[R.proc].pid;
			out.exe = R.data.processes[R.proc].exe;
			out.sites = R.data.processes[0].sites.length;
			out.frames = R.data.frames.length;
			out.metrics = {};
			R.metrics.forEach(function (name, m) {
				var t = performance.now();
				sel.value = String(m);
				fire(sel, 'change');
				out.metrics[name] = { redraw_ms: performance.now() - t,
				    total: R.tree.v[m], drawn: R.drawn.length,
				    depth1: frames(R, 1), depth2: frames(R, 2),
				    depth3: frames(R, 3), depth4: frames(R, 4),
				    drawing: drawing(R).length };
			});
			/* allocated and allocations draw differently */
			sel.value = String(R.metrics.indexOf('allocated'));
			fire(sel, 'change');
			var allocated = drawing(R);
			sel.value = String(R.metrics.indexOf('allocations'));
			fire(sel, 'change');
			out.metric_changes_drawing = drawing(R) !== allocated;
			out.search_term = window.CHECK_SEARCH || '';
			var before = drawing(R), t = performance.now();
			q.value = out.search_term;
			fire(q, 'input');
			out.search_ms = performance.now() - t;
			out.search_changes_drawing = drawing(R) !== before;
			out.matched_frames = R.drawn.filter(function (d) { return d.match; })
			    .map(function (d) { return d.name; }).sort();
			out.matched_value = R.matched;
			q.value = '';
			fire(q, 'input');
			/* the tooltip of the heaviest frame at depth 1 */
			var d1 = R.drawn.filter(function (d) { return d.depth === 1; })[0];
			if (d1) {
				mouse(canvas, 'mousemove', d1);
				var tip = document.getElementById('tip');
				out.tooltip = tip.style.display === 'block' ? tip.textContent : null;
			}
			/* a click on a frame zooms into it */
			var z = R.drawn.filter(function (d) {
				return d.name === (window.CHECK_ZOOM || '');
			})[0];
			if (z) {
				t = performance.now();
				mouse(canvas, 'click', z);
				out.zoom_ms = performance.now() - t;
				out.zoomed = R.zoom ? R.zoom.name : null;
				out.zoomed_width = R.drawn.filter(function (d) {
					return d.name === z.name && d.depth === z.depth;
				}).map(function (d) { return Math.round(d.width); })[0];
				out.canvas_width = canvas.parentNode.clientWidth;
				document.getElementById('unzoom').click();
				out.unzoomed = R.zoom === null;
			}
			/* the tables: their first rows, and a column sorted by a click */
			var rows = function (id) {
				return Array.prototype.map.call(document.querySelectorAll('#' + id +
				    ' tbody td.fn'), function (td) {
					return td.textContent.replace(/^[^A-Za-z_(\[0-9]+/, '');
				});
			};
			out.top_down = rows('top-down').slice(0, 8);
			var th = document.querySelectorAll('#top-down th')[5];
			th.click();
			out.sorted_column = document.querySelector('#top-down th.sorted').textContent;
			document.querySelector('.tabs button:nth-child(2)').click();
			out.bottom_up = rows('bottom-up').slice(0, 8);
			out.loss_records = document.querySelectorAll('details.record').length;
			out.leak_summary = document.getElementById('leak-summary') ?
			    document.getElementById('leak-summary').textContent : null;
			out.bins_bars = document.querySelectorAll('#bins svg rect').length;
			out.layout_kinds = document.querySelectorAll('#layout .bar div').length;
			out.growth_points = (document.querySelector('#growth polyline') || { getAttribute: function () { return ''; } })
			    .getAttribute('points').split(' ').length;
			var ps = document.getElementById('process');
			if (ps && ps.options.length > 1) {
				ps.value = String(ps.options.length - 1);
				fire(ps, 'change');
				out.switched = { pid: R.data.processes[R.proc].pid,
				    leaked: R.tree.v[R.metrics.indexOf('leaked')],
				    exit: document.querySelector('#summary [data-key="exit"] b').textContent };
			}
			out.command = document.querySelector('header .cmd').textContent;
			out.sections = Array.prototype.map.call(document.querySelectorAll('section'),
			    function (s) { return s.id; });
		} catch (e) {
			errors.push('check: ' + e + ' ' + (e.stack || ''));
		}
		var pre = document.createElement('pre');
		pre.id = 'check';
		pre.textContent = JSON.stringify(out);
		document.body.appendChild(pre);
	});
})();
