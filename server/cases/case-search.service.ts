import type { CaseSearchPage, CaseSearchQuery } from '../../shared/case-search.ts';
import { InvalidCursorError, type HistoryRepository } from '../history/history.repository.ts';
import { invalid } from '../infra/domain-errors.ts';

/** The repository's part that search needs (a narrow seam, so a test may hand in its own). */
export type CaseSearchSource = Pick<HistoryRepository, 'searchCases'>;

/**
 * Search over every case ever, from the history database (closed ones included; the live state
 * holds the open working set only).
 *
 * A case created a moment ago is found once the projector has written it: the lag is normally
 * milliseconds (the projector reads the stream as it grows) and `GET /api/v1/status` reports it.
 * Nothing here waits for it or merges the live state in: a search answers what the record holds.
 */
export class CaseSearchService {
  constructor(private readonly repo: CaseSearchSource) {}

  async search(q: CaseSearchQuery): Promise<CaseSearchPage> {
    try {
      return await this.repo.searchCases(q);
    } catch (e) {
      // A cursor of the right shape that this server never gave out (or one edited by hand).
      if (e instanceof InvalidCursorError) throw invalid('querystring.cursor', e.message);
      throw e;
    }
  }
}
