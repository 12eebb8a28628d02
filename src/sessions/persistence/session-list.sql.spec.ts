import { SessionQuery } from '../session-query';
import { listStatement, listStatements, walkPageStatement } from './session-list.sql';
import { sessionProjection } from './tables/sessions.table';

const SELECT = 's.id';

function search(terms: string[], change: Partial<SessionQuery> = {}): SessionQuery {
  return {
    scope: { liveOnly: true },
    filters: { searchTerms: terms },
    order: [{ field: 'username', descending: false }],
    offset: 0,
    limit: 20,
    ...change,
  };
}

describe('which session lists are prepared', () => {
  it('prepares a first-page search whose every term has three letters or digits in a row', () => {
    expect(listStatement(search(['maria.yilmaz']), SELECT).prepare).toBe(true);
    expect(listStatement(search(['edg/', 'Win64']), SELECT).prepare).toBe(true);
  });

  it('plans a search each time when a term gives the trigram index nothing to look up', () => {
    for (const terms of [['zz'], ['maria', 'a.b'], ['1.2.3'], ['ççç'], ['%_%']])
      expect(listStatement(search(terms), SELECT).prepare).toBe(false);
  });

  it('prepares no later page, and no list filtered by user agent', () => {
    expect(listStatement(search(['maria'], { offset: 20 }), SELECT).prepare).toBe(false);
    const byAgent = search([], { filters: { lastUserAgent: 'curl/8.0' } });
    expect(listStatement(byAgent, SELECT).prepare).toBe(false);
  });

  it('runs the prepared searches, and only them, on their generic plan', () => {
    expect(listStatement(search(['maria.yilmaz']), SELECT).genericPlan).toBe(true);
    expect(listStatement(search(['zz']), SELECT).genericPlan).toBe(false);
    expect(listStatement(search(['maria'], { offset: 20 }), SELECT).genericPlan).toBe(false);
    expect(listStatement(search([], { filters: {} }), SELECT)).toMatchObject({ prepare: true, genericPlan: false });
  });

  it('keeps the same text for every pattern, so the prepared statements stay few', () => {
    expect(listStatement(search(['maria']), SELECT).text).toBe(listStatement(search(['chrome']), SELECT).text);
  });

  it("leaves the floor's statements as they were: a search is never prepared there", () => {
    expect(listStatements(search(['maria.yilmaz'])).prepare).toBe(false);
    expect(listStatements(search([], { filters: {} })).prepare).toBe(true);
  });

  it("carries each row's version through the service's cut pages, and leaves the floor's texts without it", () => {
    const plain = search([], { filters: {} });
    const { selectVersionOnly } = sessionProjection(['uuid', 'lastSeen']);
    expect(selectVersionOnly).toBe('s.id, s.xmin::text AS row_version');
    expect(sessionProjection(['uuid', 'userIsOperator']).selectVersionOnly).toContain("'/' || u.xmin::text");
    expect(listStatement(plain, selectVersionOnly).text).toContain('SELECT s.*, s.xmin FROM sessions s');
    expect(walkPageStatement(search(['chrome']), selectVersionOnly).text).toContain('SELECT s.*, s.xmin FROM');
    for (const statement of [listStatements(plain), listStatements(search(['maria']))])
      for (const { text } of [statement.page, statement.count, statement.combined ?? { text: '' }])
        expect(text).not.toContain('xmin');
  });
});

describe("one user's list", () => {
  const own = (order: SessionQuery['order'], change: Partial<SessionQuery> = {}): SessionQuery =>
    search([], { scope: { liveOnly: true, userIds: [7] }, filters: {}, order, ...change });

  it('orders by id alone where the username or user order is the same on every row', () => {
    for (const descending of [false, true])
      for (const field of ['username', 'user'] as const) {
        const { text } = listStatement(own([{ field, descending }]), SELECT);
        expect(text).toContain('ORDER BY s.id ASC');
        expect(text).not.toMatch(/ORDER BY s\.(username|user_id)/);
      }
    expect(listStatement(own([{ field: 'last_seen', descending: true }]), SELECT).text).toContain(
      'ORDER BY s.last_seen_at DESC, s.id ASC',
    );
  });

  it("keeps the order asked for several users, a search, and the floor's statements", () => {
    const byName = [{ field: 'username', descending: false }] as SessionQuery['order'];
    expect(listStatement(own(byName, { scope: { liveOnly: true, userIds: [7, 8] } }), SELECT).text).toContain(
      'ORDER BY s.username ASC, s.id ASC',
    );
    const searching = { filters: { searchTerms: ['maria'] } };
    expect(listStatement(own(byName, searching), SELECT).text).not.toBe(listStatement(own([], searching), SELECT).text);
    expect(listStatements(own(byName)).page.text).toContain('ORDER BY s.username ASC, s.id ASC');
  });
});

describe('which searches decide from counters inside their statement', () => {
  const decides = (query: SessionQuery) => listStatement(query, SELECT).text.includes('search_decision');

  it('decides one term over every live session that no address can contain', () => {
    expect(decides(search(['maria']))).toBe(true);
    expect(decides(search(['mozilla'], { order: [{ field: 'last_seen', descending: true }] }))).toBe(true);
  });

  it('gathers every other search as the floor does: several terms, address text, a scope or another filter', () => {
    expect(decides(search(['maria', 'chrome']))).toBe(false);
    expect(decides(search(['10.0.0']))).toBe(false);
    expect(decides(search(['cafe']))).toBe(false);
    expect(decides(search(['maria'], { scope: { liveOnly: true, userIds: [1] } }))).toBe(false);
    expect(decides(search(['maria'], { filters: { searchTerms: ['maria'], username: 'x' } }))).toBe(false);
    expect(decides(search(['maria'], { scope: { liveOnly: false } }))).toBe(false);
    expect(listStatements(search(['maria'])).combined!.text).not.toContain('search_decision');
  });

  it('takes the page from the matching users only where the order follows their names', () => {
    const fromUsers = (order: SessionQuery['order']) =>
      listStatement(search(['maria'], { order }), SELECT).text.includes('u2.id = ANY(d.owners)');
    expect(fromUsers([{ field: 'username', descending: false }])).toBe(true);
    expect(
      fromUsers([
        { field: 'user', descending: true },
        { field: 'id', descending: true },
      ]),
    ).toBe(true);
    expect(
      fromUsers([
        { field: 'username', descending: false },
        { field: 'last_seen', descending: true },
      ]),
    ).toBe(false);
    expect(fromUsers([{ field: 'last_seen', descending: true }])).toBe(false);
  });

  it("merges the users' sessions with the other matches only where the page comes from the users", () => {
    const merges = (order: SessionQuery['order']) =>
      listStatement(search(['maria'], { order }), SELECT).text.includes('true AND d.agents_hold AS merge');
    expect(merges([{ field: 'username', descending: true }])).toBe(true);
    expect(merges([{ field: 'last_seen', descending: true }])).toBe(false);
  });
});
