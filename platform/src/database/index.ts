export {
  connectDatabase,
  databaseUrlFromParts,
  type Sql,
  type TransactionSql,
} from './connection.ts';
export { migrate, readMigrations, MigrationError, MIGRATIONS_DIR } from './migrate.ts';
export { startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres.ts';
export { openDatabase, type OpenDatabase } from './open-database.ts';
export { camelColumns, type CamelColumns } from './camel-columns.ts';
