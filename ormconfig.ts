import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config';
import { dataSourceOptions } from './src/database/data-source-options';

/** The TypeORM CLI's data source: `npx typeorm-ts-node-commonjs -d ormconfig.ts migration:run` (or `npm run migrate`). */
export default new DataSource(dataSourceOptions(loadConfig()));
