import { joinedJson, keptBytes } from './json-bytes';

describe('JSON as bytes', () => {
  it('joins items with commas between head and tail, as the string join would', () => {
    const items = ['{"a":1}', '{"city":"Zürich 東京 🚀"}', '{"escaped":"\\ud800 \\"q\\""}'];
    const joined = joinedJson('{"count":3,"results":[', items.map(keptBytes), ']}');
    const expected = `{"count":3,"results":[${items.join(',')}]}`;
    expect(joined.toString()).toBe(expected);
    expect(joined.length).toBe(Buffer.byteLength(expected));
    expect(JSON.parse(joined.toString()).results[1].city).toBe('Zürich 東京 🚀');
  });

  it('writes an empty list, a single item and a head outside ASCII', () => {
    expect(joinedJson('[', [], ']').toString()).toBe('[]');
    expect(joinedJson('[', [keptBytes('{"x":"é"}')], ']').toString()).toBe('[{"x":"é"}]');
    expect(joinedJson('{"ü":[', [keptBytes('1'), keptBytes('2')], ']}').toString()).toBe('{"ü":[1,2]}');
  });

  it('keeps each text in bytes of its own, not in a slice of the shared pool', () => {
    const short = keptBytes('{"id":7}');
    expect(short.toString()).toBe('{"id":7}');
    expect(short.buffer.byteLength).toBe(short.length);
    expect(Buffer.from('{"id":7}').buffer.byteLength).toBeGreaterThan(8); // what Buffer.from would have kept
  });
});
