import { Controller, Get, Headers, NotFoundException, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/access';
import { PlatformErrorCode } from '../platform/platform.error';
import { problem } from '../problem/problem';
import { ProblemCatalogue, type ProblemTypeView } from '../problem/problem-catalogue';
import { preferredLanguage, type Language } from '../problem/problem-language';
import { problemListPage, problemPage } from './problem-page';

/**
 * `GET /v1/problems[/<code>]`: the error catalogue, where every problem `type` leads. A browser
 * (`Accept: text/html`) gets a page, a program JSON; English or French by `?lang=` or
 * `Accept-Language`. Public: a caller refused for its token must still be able to read why.
 */
@Public()
@Controller('problems')
export class ProblemsController {
  constructor(private readonly catalogue: ProblemCatalogue) {}

  @Get()
  list(
    @Query('lang') lang: string | undefined,
    @Headers() headers: Record<string, string | undefined>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): string | { items: ProblemTypeView[] } {
    const language = languageOf(lang, headers);
    const items = this.catalogue.all(language);
    return answer(reply, headers, language, { items }, () => problemListPage(items, language));
  }

  @Get(':code')
  one(
    @Param('code') code: string,
    @Query('lang') lang: string | undefined,
    @Headers() headers: Record<string, string | undefined>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): string | ProblemTypeView {
    const language = languageOf(lang, headers);
    const found = this.catalogue.find(code, language);
    // An unknown code is a plain 404, like an unknown route: the catalogue has no entry about itself.
    if (!found) throw new NotFoundException(`no problem type is called ${code}`);
    return answer(reply, headers, language, found, () => problemPage(found, language));
  }
}

function languageOf(lang: string | undefined, headers: Record<string, string | undefined>): Language {
  if (lang === undefined) return preferredLanguage(headers['accept-language']);
  if (lang === 'en' || lang === 'fr') return lang;
  throw problem(400, 'invalid query parameters', {
    code: PlatformErrorCode.InvalidQuery,
    errors: [{ pointer: '/lang', code: 'enum', message: 'must be en or fr' }],
  });
}

/** HTML when the caller ranks it above JSON (a browser), JSON otherwise. */
function answer<T>(
  reply: FastifyReply,
  headers: Record<string, string | undefined>,
  language: Language,
  json: T,
  page: () => string,
): T | string {
  void reply.header('content-language', language).header('vary', 'Accept, Accept-Language');
  const accept = headers.accept ?? '';
  const wantsHtml = accept.includes('text/html') && !/^\s*application\/(problem\+)?json/.test(accept);
  if (!wantsHtml) return json;
  void reply.header('content-type', 'text/html; charset=utf-8');
  return page();
}
