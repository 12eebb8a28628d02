import { pageUrl, pagingHeaders } from './movens-paging';

describe('MOVENS paging', () => {
  it('should compute the headers and links, prev from past the end leading to the last page', () => {
    expect(pagingHeaders('/l', '', { pageIndex: 1, pageSize: 20 }, 0)).toEqual({
      'X-Total-Count': '0',
      'X-Pagination': '{"TotalCount":0,"PageSize":20,"CurrentPage":1,"TotalPages":0}',
    });
    expect(pagingHeaders('/l', 'PageSize=10', { pageIndex: 2, pageSize: 10 }, 21)).toEqual({
      'X-Total-Count': '21',
      'X-Pagination': '{"TotalCount":21,"PageSize":10,"CurrentPage":2,"TotalPages":3}',
      Link: '</l?PageIndex=3&PageSize=10>; rel="next", </l?PageIndex=1&PageSize=10>; rel="prev"',
    });
    expect(pagingHeaders('/l', '', { pageIndex: 9, pageSize: 10 }, 21).Link).toBe(
      '</l?PageIndex=3&PageSize=10>; rel="prev"',
    );
    expect(pagingHeaders('/l', '', { pageIndex: 9, pageSize: 10 }, 0).Link).toBeUndefined();
  });

  it('should keep other query parameters as sent and put canonical paging parameters last', () => {
    expect(pageUrl('/l', 'a=1&pageSIZE=5&b=%20x&&PageIndex=2&Page%53ize=9', 3, 5)).toBe(
      '/l?a=1&b=%20x&PageIndex=3&PageSize=5',
    );
    expect(pageUrl('/l', 'bad=%E0%A4%A', 2, 5)).toBe('/l?bad=%E0%A4%A&PageIndex=2&PageSize=5');
  });
});
