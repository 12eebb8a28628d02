import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config';
import { dataSourceOptions } from './src/database/data-source-options';
import { openDatabase } from './src/database/open-database';

/** The TypeORM CLI's data source: `npx typeorm-ts-node-commonjs -d ormconfig.ts migration:run` (or `npm run migrate`). */
export default openDatabase(loadConfig()).then((database) => new DataSource(dataSourceOptions(database)));
