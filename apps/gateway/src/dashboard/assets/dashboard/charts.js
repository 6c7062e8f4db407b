// Drawing: horizontal bar charts as inline SVG, and the table that follows every chart.
(function (dashboard) {
  'use strict';

  var t = dashboard.t;

  var SVG = 'http://www.w3.org/2000/svg';

  function el(name, attributes, text) {
    var node = document.createElement(name);
    Object.keys(attributes || {}).forEach(function (a) {
      node.setAttribute(a, attributes[a]);
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function svgEl(name, attributes, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes || {}).forEach(function (a) {
      node.setAttribute(a, String(attributes[a]));
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /**
   * Horizontal bars in groups: `groups` = [{ title, bars: [{ label, ratio, suppressed, text }] }].
   * A suppressed figure gets no bar, the word instead (never an empty bar one could read as zero);
   * a figure with no share to show (ratio null) gets its text alone.
   */
  function barChart(container, title, groups) {
    var width = 760,
      labelWidth = 300,
      barWidth = 300,
      rowHeight = 30,
      titleHeight = 34;
    var height = 8;
    groups.forEach(function (g) {
      height += (g.title ? titleHeight : 0) + g.bars.length * rowHeight + 8;
    });
    var svg = svgEl('svg', {
      viewBox: '0 0 ' + width + ' ' + height,
      role: 'img',
      'aria-label': t('chartLabel', { title: title }),
      focusable: 'false',
    });
    var y = 8;
    groups.forEach(function (g) {
      if (g.title) {
        svg.appendChild(svgEl('text', { x: 0, y: y + 22, class: 'group-title' }, g.title));
        y += titleHeight;
      }
      g.bars.forEach(function (bar) {
        svg.appendChild(svgEl('text', { x: 0, y: y + 20 }, bar.label));
        svg.appendChild(svgEl('rect', { x: labelWidth, y: y + 6, width: barWidth, height: 18, class: 'track' }));
        if (bar.ratio === null) {
          svg.appendChild(
            svgEl(
              'text',
              bar.suppressed ? { x: labelWidth + 8, y: y + 20, class: 'suppressed' } : { x: labelWidth + 8, y: y + 20 },
              bar.text,
            ),
          );
        } else {
          var w = Math.max(0, Math.min(1, bar.ratio)) * barWidth;
          svg.appendChild(
            svgEl('rect', {
              x: labelWidth,
              y: y + 6,
              width: w.toFixed(1),
              height: 18,
              class: 'bar',
              'data-value': bar.text,
            }),
          );
          svg.appendChild(svgEl('text', { x: labelWidth + barWidth + 10, y: y + 20 }, bar.text));
        }
        y += rowHeight;
      });
      y += 8;
    });
    container.replaceChildren(svg);
  }

  function table(container, caption, head, rows) {
    var tableEl = el('table');
    tableEl.appendChild(el('caption', {}, caption));
    var thead = el('thead');
    var tr = el('tr');
    head.forEach(function (h) {
      tr.appendChild(el('th', { scope: 'col' }, h));
    });
    thead.appendChild(tr);
    tableEl.appendChild(thead);
    var tbody = el('tbody');
    rows.forEach(function (row) {
      var r = el('tr');
      r.appendChild(el('th', { scope: 'row' }, row[0]));
      row.slice(1).forEach(function (cell) {
        var suppressed = cell === t('suppressed');
        r.appendChild(el('td', suppressed ? { class: 'suppressed' } : {}, cell));
      });
      tbody.appendChild(r);
    });
    tableEl.appendChild(tbody);
    container.replaceChildren(tableEl);
  }

  dashboard.barChart = barChart;
  dashboard.table = table;
})((window.passerelleDashboard = window.passerelleDashboard || {}));
