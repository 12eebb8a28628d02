/**
 * Imported first by the soak (bench/soak.ts) and the feature-cost bench (bench/feature-cost.ts): unless
 * BENCH_DATABASE_URL says otherwise they use a database of their own, so neither disturbs `npm run bench`'s (whose
 * run deletes the sessions created since it started) and both can reuse one seeded copy.
 */
export const SOAK_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/sessionhub_soak';

if (!process.env.BENCH_DATABASE_URL) process.env.BENCH_DATABASE_URL = SOAK_DATABASE_URL;
