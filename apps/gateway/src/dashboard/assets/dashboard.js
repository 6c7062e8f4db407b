// Passerelle ministry dashboard: reads GET /v1/reports/outcomes with the analyst's ministry token
// and draws the funnel and the rates as inline SVG. No library, nothing fetched from elsewhere.
(function () {
  'use strict';

  var TOKEN_KEY = 'passerelle.dashboard.token';
  var LANG_KEY = 'passerelle.dashboard.lang';
  var SVG = 'http://www.w3.org/2000/svg';

  var TEXT = {
    en: {
      pageTitle: 'Employment outcomes of referrals – Passerelle',
      skip: 'Skip to the figures',
      brand: 'Passerelle · Ministry dashboard',
      otherLanguage: 'Français',
      title: 'Employment outcomes of referrals',
      intro:
        'Referrals from Ontario Works and ODSP to Employment Ontario, and what became of them. Figures about fewer than 5 clients are suppressed.',
      accessHeading: 'Access',
      tokenLabel: 'Ministry access token (scope reports:read)',
      tokenHelp:
        'Kept in this browser tab only. In development: npm run --silent token -- --org ministry:mcss --scope reports:read',
      useToken: 'Use this token',
      forgetToken: 'Forget the token',
      filtersHeading: 'Period and grouping',
      from: 'From',
      to: 'To',
      groupBy: 'Group the detailed table by',
      show: 'Show',
      downloadCsv: 'Download CSV',
      funnelHeading: 'Referral funnel',
      funnelHelp: 'Referrals made in the period, and how many reached each step (share of the referrals made).',
      programHeading: 'Outcome rates by program',
      regionHeading: 'Outcome rates by region',
      ratesHelp: 'Acceptance as a share of referrals routed; every other rate as a share of referrals accepted.',
      detailHeading: 'All figures',
      reasonsHeading: 'Declines by reason',
      footer:
        'Counts of referrals made in the period, read from the referral ledger. “Suppressed”: fewer than 5 clients, or a figure that would reveal one.',
      'dim.none': 'No grouping',
      'dim.program': 'Program',
      'dim.region': 'Region',
      'dim.deliveryAgent': 'Delivery agent or office',
      'dim.catchment': 'Catchment',
      'dim.providerType': 'Provider type',
      'dim.stream': 'Stream',
      'dim.month': 'Month',
      total: 'All referrals',
      notRouted: 'Not routed',
      noAssessment: 'No assessment',
      unknown: 'Not known',
      unknownRegion: 'Outside the regions',
      'providerType.direct': 'Direct delivery',
      'providerType.third-party': 'Third-party provider',
      suppressed: 'suppressed',
      measure: 'Measure',
      count: 'Referrals',
      share: 'Share',
      rate: 'Rate',
      of: 'of',
      reason: 'Reason',
      needToken: 'Give a ministry access token to see the figures.',
      loading: 'Loading the figures…',
      loaded: 'Figures for {from} to {to} (read {at})',
      noData: 'No referral was made in this period.',
      unauthorized:
        'This token was refused (expired, or not signed by a trusted issuer). Give a current ministry token.',
      forbidden: 'This token may not read reports: a ministry organization with the scope reports:read is needed.',
      badRequest: 'The period or grouping was refused: {detail}',
      failed: 'The figures could not be loaded ({status}).',
      tokenForgotten: 'The token was forgotten.',
      chartLabel: '{title}: bar chart. The same figures are in the table that follows.',
      'm.clients': 'Clients',
      'm.referralsMade': 'Referrals made',
      'm.routed': 'Routed to a provider',
      'm.accepted': 'Accepted',
      'm.rejected': 'Declined',
      'm.medianBusinessDaysToAccept': 'Median business days to accept',
      'm.inService': 'In service',
      'm.completed': 'Completed',
      'm.employed': 'Started a job',
      'm.employedAt1Month': 'Employed at 1 month',
      'm.employedAt3Months': 'Employed at 3 months',
      'm.employedAt6Months': 'Employed at 6 months',
      'm.employedAt12Months': 'Employed at 12 months',
      'm.retention': 'Job retention',
      'm.increasedEarnings': 'Increased earnings',
      'm.exitsToEmployment': 'Exits to employment',
      'm.duplicateSupports': 'Duplicate supports flagged',
      'r.accepted': 'Accepted (of routed)',
      'r.inService': 'In service (of accepted)',
      'r.employed': 'Started a job (of accepted)',
      'r.employedAt3Months': 'Employed at 3 months (of accepted)',
      'r.exitsToEmployment': 'Exits to employment (of accepted)',
    },
    fr: {
      pageTitle: 'Résultats en emploi des aiguillages – Passerelle',
      skip: 'Passer aux données',
      brand: 'Passerelle · Tableau de bord du ministère',
      otherLanguage: 'English',
      title: 'Résultats en emploi des aiguillages',
      intro:
        'Les aiguillages d’Ontario au travail et du POSPH vers Emploi Ontario, et ce qu’il en est advenu. Les données qui portent sur moins de 5 clients sont masquées.',
      accessHeading: 'Accès',
      tokenLabel: 'Jeton d’accès du ministère (portée reports:read)',
      tokenHelp:
        'Conservé dans cet onglet seulement. En développement : npm run --silent token -- --org ministry:mcss --scope reports:read',
      useToken: 'Utiliser ce jeton',
      forgetToken: 'Oublier le jeton',
      filtersHeading: 'Période et regroupement',
      from: 'Du',
      to: 'Au',
      groupBy: 'Regrouper le tableau détaillé par',
      show: 'Afficher',
      downloadCsv: 'Télécharger le CSV',
      funnelHeading: 'Entonnoir des aiguillages',
      funnelHelp:
        'Aiguillages faits pendant la période, et combien ont atteint chaque étape (part des aiguillages faits).',
      programHeading: 'Taux de résultats par programme',
      regionHeading: 'Taux de résultats par région',
      ratesHelp:
        'Acceptation en part des aiguillages acheminés; tous les autres taux en part des aiguillages acceptés.',
      detailHeading: 'Toutes les données',
      reasonsHeading: 'Refus par motif',
      footer:
        'Nombre d’aiguillages faits pendant la période, tiré du registre des aiguillages. « Masqué » : moins de 5 clients, ou une donnée qui en révélerait une autre.',
      'dim.none': 'Aucun regroupement',
      'dim.program': 'Programme',
      'dim.region': 'Région',
      'dim.deliveryAgent': 'Gestionnaire des services ou bureau',
      'dim.catchment': 'Zone desservie',
      'dim.providerType': 'Type de fournisseur',
      'dim.stream': 'Volet',
      'dim.month': 'Mois',
      total: 'Tous les aiguillages',
      notRouted: 'Non acheminé',
      noAssessment: 'Sans évaluation',
      unknown: 'Inconnu',
      unknownRegion: 'Hors des régions',
      'providerType.direct': 'Prestation directe',
      'providerType.third-party': 'Fournisseur tiers',
      suppressed: 'masqué',
      measure: 'Mesure',
      count: 'Aiguillages',
      share: 'Part',
      rate: 'Taux',
      of: 'sur',
      reason: 'Motif',
      needToken: 'Fournissez un jeton d’accès du ministère pour voir les données.',
      loading: 'Chargement des données…',
      loaded: 'Données du {from} au {to} (lues le {at})',
      noData: 'Aucun aiguillage n’a été fait pendant cette période.',
      unauthorized:
        'Ce jeton a été refusé (expiré, ou non signé par un émetteur reconnu). Fournissez un jeton valide du ministère.',
      forbidden:
        'Ce jeton ne permet pas de lire les rapports : il faut une organisation du ministère ayant la portée reports:read.',
      badRequest: 'La période ou le regroupement a été refusé : {detail}',
      failed: 'Les données n’ont pas pu être chargées ({status}).',
      tokenForgotten: 'Le jeton a été oublié.',
      chartLabel: '{title} : graphique à barres. Les mêmes données figurent dans le tableau qui suit.',
      'm.clients': 'Clients',
      'm.referralsMade': 'Aiguillages faits',
      'm.routed': 'Acheminés à un fournisseur',
      'm.accepted': 'Acceptés',
      'm.rejected': 'Refusés',
      'm.medianBusinessDaysToAccept': 'Jours ouvrables médians avant l’acceptation',
      'm.inService': 'En service',
      'm.completed': 'Terminés',
      'm.employed': 'Entrée en emploi',
      'm.employedAt1Month': 'En emploi après 1 mois',
      'm.employedAt3Months': 'En emploi après 3 mois',
      'm.employedAt6Months': 'En emploi après 6 mois',
      'm.employedAt12Months': 'En emploi après 12 mois',
      'm.retention': 'Maintien en emploi',
      'm.increasedEarnings': 'Augmentation des gains',
      'm.exitsToEmployment': 'Sorties vers l’emploi',
      'm.duplicateSupports': 'Soutiens en double signalés',
      'r.accepted': 'Acceptés (sur les acheminés)',
      'r.inService': 'En service (sur les acceptés)',
      'r.employed': 'Entrée en emploi (sur les acceptés)',
      'r.employedAt3Months': 'En emploi après 3 mois (sur les acceptés)',
      'r.exitsToEmployment': 'Sorties vers l’emploi (sur les acceptés)',
    },
  };

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

  var state = { lang: 'en', labels: null, reports: null, loadedAt: null, message: null };

  function $(id) {
    return document.getElementById(id);
  }

  function t(key, values) {
    var text = TEXT[state.lang][key];
    if (text === undefined) text = TEXT.en[key] || key;
    if (values)
      Object.keys(values).forEach(function (name) {
        text = text.split('{' + name + '}').join(values[name]);
      });
    return text;
  }

  function locale() {
    return state.lang === 'fr' ? 'fr-CA' : 'en-CA';
  }
  function formatNumber(n) {
    return new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(n);
  }
  function formatShare(ratio) {
    return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 0 }).format(ratio);
  }
  function formatDate(iso) {
    return new Intl.DateTimeFormat(locale(), { dateStyle: 'long', timeZone: 'America/Toronto' }).format(
      new Date(iso + 'T12:00:00Z'),
    );
  }
  function formatInstant(iso) {
    return new Intl.DateTimeFormat(locale(), {
      dateStyle: 'long',
      timeStyle: 'short',
      timeZone: 'America/Toronto',
    }).format(new Date(iso));
  }
  function isSuppressed(value) {
    return typeof value !== 'number';
  }
  function figure(value) {
    return isSuppressed(value) ? t('suppressed') : formatNumber(value);
  }

  /** Label of a group value of a dimension, in the page language. */
  function groupLabel(dimension, value) {
    var labels = state.labels || {};
    var table = { program: labels.programs, stream: labels.streams, region: labels.regions }[dimension];
    if (value === null || value === undefined) {
      if (dimension === 'catchment' || dimension === 'providerType' || dimension === 'region') return t('notRouted');
      if (dimension === 'stream') return t('noAssessment');
      return t('unknown');
    }
    if (table && table[value]) return table[value][state.lang];
    if (dimension === 'region' && value === 'unknown') return t('unknownRegion');
    if (dimension === 'providerType') return t('providerType.' + value);
    if (dimension === 'month') {
      var parts = value.split('-');
      return new Intl.DateTimeFormat(locale(), { year: 'numeric', month: 'long', timeZone: 'UTC' }).format(
        new Date(Date.UTC(Number(parts[0]), Number(parts[1]) - 1, 15)),
      );
    }
    return value;
  }

  // ---------------------------------------------------------------- language

  function applyLanguage() {
    document.documentElement.lang = state.lang;
    document.title = t('pageTitle');
    Array.prototype.forEach.call(document.querySelectorAll('[data-i18n]'), function (el) {
      el.textContent = t(el.getAttribute('data-i18n'));
    });
    var button = $('language');
    button.textContent = t('otherLanguage');
    button.setAttribute('lang', state.lang === 'en' ? 'fr' : 'en');
    render();
  }

  function initialLanguage() {
    var asked = new URLSearchParams(window.location.search).get('lang');
    if (asked === 'en' || asked === 'fr') return asked;
    try {
      var saved = window.localStorage.getItem(LANG_KEY);
      if (saved === 'en' || saved === 'fr') return saved;
    } catch (e) {
      /* storage may be off */
    }
    return (navigator.language || 'en').toLowerCase().indexOf('fr') === 0 ? 'fr' : 'en';
  }

  // ---------------------------------------------------------------- token

  function token() {
    try {
      return window.sessionStorage.getItem(TOKEN_KEY) || '';
    } catch (e) {
      return '';
    }
  }
  function keepToken(value) {
    try {
      if (value) window.sessionStorage.setItem(TOKEN_KEY, value);
      else window.sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) {
      /* storage may be off: the token lives in the form only */
    }
  }
  /** `#token=...` (as `npm run demo` prints): kept for the tab, then removed from the address bar and history. */
  function tokenFromFragment() {
    var match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
    if (!match) return;
    keepToken(decodeURIComponent(match[1]));
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
  }

  // ---------------------------------------------------------------- data

  function query(extra) {
    var params = new URLSearchParams({ from: $('from').value, to: $('to').value });
    Object.keys(extra).forEach(function (k) {
      if (extra[k]) params.set(k, extra[k]);
    });
    return '/v1/reports/outcomes?' + params.toString();
  }

  function request(url, accept) {
    return fetch(url, {
      headers: { authorization: 'Bearer ' + token(), accept: accept },
      credentials: 'omit',
      cache: 'no-store',
    }).then(function (response) {
      if (response.ok) return response;
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (problem) {
          var error = new Error(problem.detail || response.statusText);
          error.status = response.status;
          error.problem = problem;
          throw error;
        });
    });
  }

  function say(key, values, isError) {
    state.message = { key: key, values: values || null, error: !!isError };
    showMessage();
  }
  function showMessage() {
    var status = $('status');
    var m = state.message;
    var values = m && (typeof m.values === 'function' ? m.values() : m.values);
    status.textContent = m ? t(m.key, values || undefined) : '';
    status.className = m && m.error ? 'status error' : 'status';
  }

  function failure(error) {
    if (error.status === 401) return say('unauthorized', null, true);
    if (error.status === 403) return say('forbidden', null, true);
    if (error.status === 400) {
      var fields = ((error.problem && error.problem.errors) || [])
        .map(function (e) {
          return e.pointer.slice(1) + ' ' + e.message;
        })
        .join('; ');
      return say('badRequest', { detail: fields || error.message }, true);
    }
    say('failed', { status: String(error.status || error.message) }, true);
  }

  function load() {
    if (!token()) {
      state.reports = null;
      render();
      return say('needToken');
    }
    say('loading');
    var groupBy = $('group-by').value;
    var asks = [
      request(query({ groupBy: 'program' }), 'application/json'),
      request(query({ groupBy: 'region' }), 'application/json'),
      request(query({ groupBy: groupBy }), 'application/json'),
    ];
    return Promise.all(
      asks.map(function (p) {
        return p.then(function (r) {
          return r.json();
        });
      }),
    ).then(
      function (reports) {
        state.reports = { program: reports[0], region: reports[1], detail: reports[2] };
        render();
        var total = reports[0].total.measures.referralsMade;
        if (reports[0].rows.length === 0) say('noData');
        // Dates are formatted when shown, so switching language re-formats them too.
        else
          say(
            'loaded',
            function () {
              return {
                from: formatDate(reports[0].period.from),
                to: formatDate(reports[0].period.to),
                at: formatInstant(reports[0].generatedAt),
              };
            },
            false,
          );
        return total;
      },
      function (error) {
        state.reports = null;
        render();
        failure(error);
      },
    );
  }

  function download() {
    if (!token()) return say('needToken');
    request(query({ groupBy: $('group-by').value, format: 'csv' }), 'text/csv')
      .then(function (response) {
        var name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') || '');
        return response.blob().then(function (blob) {
          var link = document.createElement('a');
          link.href = URL.createObjectURL(blob);
          link.download = name ? name[1] : 'outcomes.csv';
          document.body.appendChild(link);
          link.click();
          link.remove();
          setTimeout(function () {
            URL.revokeObjectURL(link.href);
          }, 1000);
        });
      })
      .catch(failure);
  }

  // ---------------------------------------------------------------- drawing

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

  // ---------------------------------------------------------------- start

  function torontoToday() {
    return new Intl.DateTimeFormat('en-CA', {
      timeZone: 'America/Toronto',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(new Date());
  }

  function start() {
    tokenFromFragment();
    state.lang = initialLanguage();
    var today = torontoToday();
    var parts = today.split('-').map(Number);
    $('to').value = today;
    $('from').value = new Date(Date.UTC(parts[0] - 1, parts[1] - 1, parts[2] + 1)).toISOString().slice(0, 10);
    var params = new URLSearchParams(window.location.search);
    ['from', 'to'].forEach(function (name) {
      if (/^\d{4}-\d{2}-\d{2}$/.test(params.get(name) || '')) $(name).value = params.get(name);
    });
    if (params.get('groupBy')) $('group-by').value = params.get('groupBy');

    $('language').addEventListener('click', function () {
      state.lang = state.lang === 'en' ? 'fr' : 'en';
      try {
        window.localStorage.setItem(LANG_KEY, state.lang);
      } catch (e) {
        /* not kept */
      }
      applyLanguage();
    });
    $('token-form').addEventListener('submit', function (event) {
      event.preventDefault();
      keepToken($('token').value.trim());
      $('token').value = '';
      load();
    });
    $('forget').addEventListener('click', function () {
      keepToken('');
      state.reports = null;
      render();
      say('tokenForgotten');
    });
    $('filters').addEventListener('submit', function (event) {
      event.preventDefault();
      load();
    });
    $('download').addEventListener('click', download);

    fetch('/v1/dashboard/labels.json', { credentials: 'omit' })
      .then(function (r) {
        return r.json();
      })
      .catch(function () {
        return null;
      })
      .then(function (labels) {
        state.labels = labels;
        applyLanguage();
        load();
      });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
