// Passerelle ministry dashboard: reads GET /v1/reports/outcomes with the analyst's ministry token
// and draws the funnel and the rates as inline SVG. No library, nothing fetched from elsewhere.
// This part runs last: the parts before it (text, format, charts, figures) share what it uses.
(function (dashboard) {
  'use strict';

  var state = dashboard.state;
  var $ = dashboard.$;
  var t = dashboard.t;
  var formatDate = dashboard.formatDate;
  var formatInstant = dashboard.formatInstant;
  var say = dashboard.say;
  var render = dashboard.render;

  var TOKEN_KEY = 'passerelle.dashboard.token';
  var LANG_KEY = 'passerelle.dashboard.lang';

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
    } catch {
      /* storage may be off */
    }
    return (navigator.language || 'en').toLowerCase().indexOf('fr') === 0 ? 'fr' : 'en';
  }

  // ---------------------------------------------------------------- token

  function token() {
    try {
      return window.sessionStorage.getItem(TOKEN_KEY) || '';
    } catch {
      return '';
    }
  }
  function keepToken(value) {
    try {
      if (value) window.sessionStorage.setItem(TOKEN_KEY, value);
      else window.sessionStorage.removeItem(TOKEN_KEY);
    } catch {
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
      } catch {
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
})((window.passerelleDashboard = window.passerelleDashboard || {}));
