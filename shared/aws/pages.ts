/**
 * Bounded pagination for the enrichment readers: a broken or hostile endpoint that keeps answering
 * with a next token (the same one, or a new one every time) must not hold an event forever. The SDK's
 * paginators stop on a repeated token only when asked (`stopOnSameToken`); past `maxPages` the read
 * fails with an EnrichmentError (the event is reported, never hung).
 */
import { EnrichmentError } from '../engine/enrich';

/** Far above what a real answer needs (a role has at most 20 managed policies; 100 pages of groups is 100,000). */
export const MAX_PAGES = 100;

export async function* boundedPages<P>(
  pages: AsyncIterable<P>,
  operation: string,
  subject: string,
  maxPages = MAX_PAGES,
): AsyncGenerator<P> {
  let n = 0;
  for await (const page of pages) {
    if (++n > maxPages)
      throw new EnrichmentError(
        operation,
        'TooManyPages',
        false,
        `${operation} ${subject}: more than ${maxPages} pages: stopped`,
      );
    yield page;
  }
}
