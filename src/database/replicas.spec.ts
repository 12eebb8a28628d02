import { replicaLabel, WalHistory } from './replicas';

/** A replica's replay position turned into time behind the primary (the lag bound is judged on this). */
describe('WalHistory', () => {
  it('should read a replica that replayed everything the primary had as not behind, however idle the primary', () => {
    const history = new WalHistory(10_000);
    history.record(100n, 0);
    history.record(100n, 1000);
    history.record(100n, 60_000);
    expect(history.lagMs(100n, 60_500)).toBe(0);
    expect(history.lagMs(150n, 60_500)).toBe(0);
  });

  it('should count from when the primary was first seen past the replay position', () => {
    const history = new WalHistory(10_000);
    history.record(100n, 0);
    history.record(200n, 1000);
    history.record(300n, 2000);
    history.record(300n, 3000);
    expect(history.lagMs(100n, 3500)).toBe(2500);
    expect(history.lagMs(250n, 3500)).toBe(1500);
    expect(history.lagMs(300n, 3500)).toBe(0);
  });

  it('should keep reading a replica stuck before the window as far behind', () => {
    const history = new WalHistory(5000);
    history.record(100n, 0);
    for (let at = 1000; at <= 60_000; at += 1000) history.record(BigInt(100 + at), at);
    expect(history.lagMs(50n, 60_000)).toBeGreaterThan(5000);
  });

  it('should know nothing before the primary was sampled', () => {
    expect(new WalHistory(1000).lagMs(1n)).toBeNull();
  });
});

describe('replicaLabel', () => {
  it('should name a replica without its credentials', () => {
    expect(replicaLabel('postgres://reader:secret@replica1.internal:5433/sessionhub')).toBe(
      'replica1.internal:5433/sessionhub',
    );
    expect(replicaLabel('postgresql://replica2/sessionhub')).toBe('replica2:5432/sessionhub');
  });
});
