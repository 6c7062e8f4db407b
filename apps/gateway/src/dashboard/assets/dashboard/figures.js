// The figures of a loaded report: the funnel, the rates by program and by region, every measure.
(function (dashboard) {
  'use strict';

  var state = dashboard.state;
  var $ = dashboard.$;
  var t = dashboard.t;
  var formatNumber = dashboard.formatNumber;
  var formatShare = dashboard.formatShare;
  var isSuppressed = dashboard.isSuppressed;
  var figure = dashboard.figure;
  var groupLabel = dashboard.groupLabel;
  var showMessage = dashboard.showMessage;
  var barChart = dashboard.barChart;
  var table = dashboard.table;

  /** Steps of the funnel, each a share of the referrals made. */
  var FUNNEL = [
    'referralsMade',
    'routed',
    'accepted',
    'inService',
    'employed',
    'employedAt3Months',
    'employedAt12Months',
  ];
  /** Rates: numerator and denominator measures. */
  var RATES = [
    ['accepted', 'routed'],
    ['inService', 'accepted'],
    ['employed', 'accepted'],
    ['employedAt3Months', 'accepted'],
    ['exitsToEmployment', 'accepted'],
  ];
  /** Columns of the detailed table. */
  var COLUMNS = [
    'clients',
    'referralsMade',
    'routed',
    'accepted',
    'rejected',
    'medianBusinessDaysToAccept',
    'inService',
    'completed',
    'employed',
    'employedAt1Month',
    'employedAt3Months',
    'employedAt6Months',
    'employedAt12Months',
    'retention',
    'increasedEarnings',
    'exitsToEmployment',
    'duplicateSupports',
  ];

  /** A rate of two published figures; null (suppressed) when either is not, or nothing to divide by. */
  function rate(measures, numerator, denominator) {
    var n = measures[numerator],
      d = measures[denominator];
    if (isSuppressed(n) || isSuppressed(d) || d === 0) return null;
    return n / d;
  }

  function renderFunnel(total) {
    var made = total.referralsMade;
    var bars = FUNNEL.map(function (m) {
      var value = total[m];
      if (isSuppressed(value)) return { label: t('m.' + m), ratio: null, suppressed: true, text: t('suppressed') };
      var ratio = isSuppressed(made) || made === 0 ? null : value / made;
      return {
        label: t('m.' + m),
        ratio: ratio,
        suppressed: false,
        text: formatNumber(value) + (ratio === null ? '' : ' (' + formatShare(ratio) + ')'),
      };
    });
    barChart($('funnel-chart'), t('funnelHeading'), [{ bars: bars }]);
    table(
      $('funnel-table'),
      t('funnelHeading'),
      [t('measure'), t('count'), t('share')],
      FUNNEL.map(function (m) {
        var value = total[m];
        var share =
          isSuppressed(value) || isSuppressed(made) || made === 0 ? t('suppressed') : formatShare(value / made);
        return [t('m.' + m), figure(value), isSuppressed(value) ? t('suppressed') : share];
      }),
    );
  }

  function renderRates(chartId, tableId, heading, report, dimension) {
    var groups = report.rows.map(function (row) {
      return {
        title: groupLabel(dimension, row.group[dimension]),
        bars: RATES.map(function (pair) {
          var r = rate(row.measures, pair[0], pair[1]);
          return {
            label: t('r.' + pair[0]),
            ratio: r,
            suppressed: r === null,
            text:
              r === null
                ? t('suppressed')
                : formatShare(r) +
                  ' (' +
                  formatNumber(row.measures[pair[0]]) +
                  ' ' +
                  t('of') +
                  ' ' +
                  formatNumber(row.measures[pair[1]]) +
                  ')',
          };
        }),
      };
    });
    barChart($(chartId), t(heading), groups);
    table(
      $(tableId),
      t(heading),
      [t('dim.' + dimension)].concat(
        RATES.map(function (pair) {
          return t('r.' + pair[0]);
        }),
      ),
      report.rows.map(function (row) {
        return [groupLabel(dimension, row.group[dimension])].concat(
          RATES.map(function (pair) {
            var r = rate(row.measures, pair[0], pair[1]);
            return r === null ? t('suppressed') : formatShare(r);
          }),
        );
      }),
    );
  }

  function renderDetail(report) {
    var dimension = report.groupBy[0];
    var head = [dimension ? t('dim.' + dimension) : t('dim.none')].concat(
      COLUMNS.map(function (m) {
        return t('m.' + m);
      }),
    );
    var rows = (dimension ? report.rows : []).map(function (row) {
      return [groupLabel(dimension, row.group[dimension])].concat(
        COLUMNS.map(function (m) {
          return figure(row.measures[m]);
        }),
      );
    });
    rows.push(
      [t('total')].concat(
        COLUMNS.map(function (m) {
          return figure(report.total.measures[m]);
        }),
      ),
    );
    table($('detail-table'), t('detailHeading'), head, rows);
    var reasons = state.labels ? state.labels.declineReasons : {};
    var byReason = report.total.measures.rejectedByReason;
    table(
      $('reasons-table'),
      t('reasonsHeading'),
      [t('reason'), t('count')],
      Object.keys(byReason).map(function (code) {
        return [reasons[code] ? reasons[code][state.lang] : code, figure(byReason[code])];
      }),
    );
  }

  function render() {
    showMessage();
    var containers = [
      'funnel-chart',
      'funnel-table',
      'program-chart',
      'program-table',
      'region-chart',
      'region-table',
      'detail-table',
      'reasons-table',
    ];
    if (!state.reports) {
      containers.forEach(function (id) {
        $(id).replaceChildren();
      });
      return;
    }
    renderFunnel(state.reports.program.total.measures);
    renderRates('program-chart', 'program-table', 'programHeading', state.reports.program, 'program');
    renderRates('region-chart', 'region-table', 'regionHeading', state.reports.region, 'region');
    renderDetail(state.reports.detail);
  }

  dashboard.render = render;
})((window.passerelleDashboard = window.passerelleDashboard || {}));
