import { AggregatorRegistry, Histogram, Registry } from 'prom-client';
import { derivedCounter, RequestDurationHistogram, RequestLabels } from './request-durations';

const BOUNDS = [0.001, 0.01, 0.1, 1];
const OBSERVED: [RequestLabels, number][] = [
  [{ face: 'hub', route: '/api/hub/v1/sessions/validate', method: 'POST', status: '200' }, 0.0004],
  [{ face: 'hub', route: '/api/hub/v1/sessions/validate', method: 'POST', status: '200' }, 0.001],
  [{ face: 'hub', route: '/api/hub/v1/sessions/validate', method: 'POST', status: '200' }, 0.05],
  [{ face: 'hub', route: '/api/hub/v1/sessions/validate', method: 'POST', status: '401' }, 0.002],
  [{ face: 'authentik', route: 'unmatched', method: 'GET', status: '404' }, 3],
  [{ face: 'other', route: 'unmatched', method: 'GET', status: '404' }, 0.5],
];
const keyOf = (l: RequestLabels) => `${l.method} ${l.status} ${l.route} ${l.face}`;

/** The exposition's lines with each line's labels in one order, so two writers can be compared line for line. */
function normalized(text: string): string[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const match = /^([^{ ]+)\{(.*)\} (.*)$/.exec(line);
      if (!match) return line;
      const labels = match[2].split(/,(?=[a-z_]+=")/).sort();
      return `${match[1]}{${labels.join(',')}} ${match[3]}`;
    })
    .sort();
}

function both() {
  const byHand = new Registry();
  const byLibrary = new Registry();
  const hand = new RequestDurationHistogram('http_request_duration_seconds', 'Requests.', BOUNDS, byHand);
  const library = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Requests.',
    labelNames: ['face', 'route', 'method', 'status'],
    buckets: BOUNDS,
    registers: [byLibrary],
  });
  return { byHand, byLibrary, hand, library };
}

describe('RequestDurationHistogram', () => {
  it("should expose what prom-client's Histogram exposes for the same requests", async () => {
    const { byHand, byLibrary, hand, library } = both();
    for (const [labels, seconds] of OBSERVED) {
      hand.observe(keyOf(labels), () => labels, seconds);
      library.observe({ ...labels }, seconds);
    }
    expect(normalized(await byHand.metrics())).toEqual(normalized(await byLibrary.metrics()));
  });

  it('should make the labels once per series', () => {
    const { hand } = both();
    const labels = jest.fn(() => OBSERVED[0][0]);
    for (let i = 0; i < 5; i++) hand.observe('one', labels, 0.01);
    expect(labels).toHaveBeenCalledTimes(1);
  });

  it("should sum two workers' series as prom-client's cluster aggregation sums its own histograms", async () => {
    const workers = [both(), both()];
    workers.forEach(({ hand, library }, worker) =>
      OBSERVED.slice(worker * 2).forEach(([labels, seconds]) => {
        hand.observe(keyOf(labels), () => labels, seconds);
        library.observe({ ...labels }, seconds);
      }),
    );
    const aggregated = async (registries: Registry[]) =>
      normalized(
        await AggregatorRegistry.aggregate(await Promise.all(registries.map((r) => r.getMetricsAsJSON()))).metrics(),
      );
    expect(await aggregated(workers.map((w) => w.byHand))).toEqual(await aggregated(workers.map((w) => w.byLibrary)));
  });

  it('should forget every series on reset', async () => {
    const { byHand, hand } = both();
    hand.observe('one', () => OBSERVED[0][0], 0.01);
    byHand.resetMetrics();
    expect(await byHand.metrics()).not.toContain('_count');
  });
});

describe('derivedCounter', () => {
  it('should count from the histogram when scraped, every named value from zero, and only grow', async () => {
    const { byHand, hand } = both();
    derivedCounter(byHand, 'validations_total', 'Validations.', 'outcome', ['valid', 'invalid', 'error'], () =>
      hand.countsBy((l) =>
        l.route === '/api/hub/v1/sessions/validate' ? (l.status === '200' ? 'valid' : 'invalid') : null,
      ),
    );
    expect(await byHand.getSingleMetricAsString('validations_total')).toContain('validations_total{outcome="error"} 0');
    for (const [labels, seconds] of OBSERVED) hand.observe(keyOf(labels), () => labels, seconds);
    const first = await byHand.getSingleMetricAsString('validations_total');
    expect(first).toContain('validations_total{outcome="valid"} 3');
    expect(first).toContain('validations_total{outcome="invalid"} 1');
    hand.observe(keyOf(OBSERVED[0][0]), () => OBSERVED[0][0], 0.01);
    expect(await byHand.getSingleMetricAsString('validations_total')).toContain('validations_total{outcome="valid"} 4');
  });
});
