// The page's shared state, its words in the chosen language, numbers and dates as the reader's
// locale writes them, and the status line.
(function (dashboard) {
  'use strict';

  var TEXT = dashboard.TEXT;

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

  dashboard.state = state;
  dashboard.$ = $;
  dashboard.t = t;
  dashboard.formatNumber = formatNumber;
  dashboard.formatShare = formatShare;
  dashboard.formatDate = formatDate;
  dashboard.formatInstant = formatInstant;
  dashboard.isSuppressed = isSuppressed;
  dashboard.figure = figure;
  dashboard.groupLabel = groupLabel;
  dashboard.say = say;
  dashboard.showMessage = showMessage;
})((window.passerelleDashboard = window.passerelleDashboard || {}));
