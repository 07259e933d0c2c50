import { int, str } from '@fashionistar/shared';

/** Variables only the all-in-one launcher (`npm start`) reads. */
export const devSpec = {
  EMBEDDED_PG_PORT: int('port of the embedded Postgres (`npm start` without DATABASE_URL)', 54329, 1, 65535),
  EMBEDDED_PG_DIR: str('data directory of the embedded Postgres', '.data/pg'),
};
