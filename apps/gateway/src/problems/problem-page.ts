import type { Language } from '../problem/problem-language';
import type { ProblemTypeView } from '../problem/problem-catalogue';

const LABELS: Record<Language, { heading: string; status: string; code: string; all: string }> = {
  en: { heading: 'Passerelle API error', status: 'HTTP status', code: 'Code', all: 'All error types' },
  fr: { heading: "Erreur de l'API Passerelle", status: 'Statut HTTP', code: 'Code', all: "Tous les types d'erreur" },
};

/** Text made safe for HTML, with the catalogue's Markdown `code` spans as <code>. */
function html(text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return escaped.replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** The page a person reaches by following a problem's `type` in a browser. */
export function problemPage(problem: ProblemTypeView, language: Language): string {
  const label = LABELS[language];
  return `<!doctype html>
<html lang="${language}">
<head>
  <meta charset="utf-8">
  <title>${html(problem.title)} · ${label.heading}</title>
</head>
<body>
  <main>
    <p>${label.heading}</p>
    <h1>${html(problem.title)}</h1>
    <dl>
      <dt>${label.status}</dt><dd>${problem.status}</dd>
      <dt>${label.code}</dt><dd><code>${html(problem.code)}</code></dd>
    </dl>
    <p>${html(problem.description)}</p>
    <p><a href="/v1/problems?lang=${language}">${label.all}</a></p>
  </main>
</body>
</html>`;
}

/** The whole catalogue as one page, each type linking to its own. */
export function problemListPage(problems: ProblemTypeView[], language: Language): string {
  const label = LABELS[language];
  const rows = problems
    .map(
      (p) =>
        `      <li><a href="${p.type}?lang=${language}">${html(p.title)}</a> (${p.status}, <code>${html(p.code)}</code>)</li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="${language}">
<head>
  <meta charset="utf-8">
  <title>${label.all} · ${label.heading}</title>
</head>
<body>
  <main>
    <h1>${label.all}</h1>
    <ul>
${rows}
    </ul>
  </main>
</body>
</html>`;
}
