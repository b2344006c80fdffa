import { z } from 'zod';
import { isPostgresUrl } from './url.js';

export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

const seconds = z.number({ error: 'expected a number of seconds' }).nonnegative({ error: 'expected seconds >= 0' });

/** One database as written in config.yaml (snake_case, as in the service design). */
export const databaseFileSchema = z
  .object({
    url: z.string({ error: 'expected a connection URL (postgresql://… or sqlite:…)' }).min(1).optional(),
    password_file: z.string().min(1).optional(),
    read_only_url: z.string().min(1).optional(),
    read_only_password_file: z.string().min(1).optional(),
    pool_size: z.number({ error: 'expected a whole number >= 1' }).int().min(1, { error: 'expected a whole number >= 1' }).optional(),
    max_overflow: z.number({ error: 'expected a whole number >= 0' }).int().min(0, { error: 'expected a whole number >= 0' }).optional(),
    // The pool needs a positive wait: 0 would time out every checkout that has to wait at all.
    pool_timeout: z.number({ error: 'expected a number of seconds' }).positive({ error: 'expected seconds > 0' }).optional(),
    pool_recycle: seconds.optional(),
    pre_ping: z.boolean({ error: 'expected true or false' }).optional(),
    statement_timeout: seconds.optional(),
    slow_query_ms: z.number({ error: 'expected milliseconds' }).int().min(0).optional(),
    echo: z.boolean({ error: 'expected true or false' }).optional(),
    prepared_statements: z.enum(['named', 'unnamed'], { error: "expected 'named' or 'unnamed'" }).optional(),
    /** PgBouncer transaction mode; `prepared_statements: named` is then rejected (see loadConfig). */
    pgbouncer: z.boolean({ error: 'expected true or false' }).optional(),
    /** Streaming replicas for db.readOnly(), used round robin. */
    replicas: z.array(z.string().refine(isPostgresUrl, { error: 'expected a postgresql:// URL' })).optional(),
    replica_max_lag: seconds.optional(),
    replica_retry: seconds.optional(),
    replica_fallback: z.enum(['primary', 'fail'], { error: "expected 'primary' or 'fail'" }).optional(),
    ssl: z
      .object({
        mode: z.enum(SSL_MODES, { error: `expected one of ${SSL_MODES.join(', ')}` }).optional(),
        ca_file: z.string().min(1).optional(),
        cert_file: z.string().min(1).optional(),
        key_file: z.string().min(1).optional(),
        allow_insecure: z.boolean({ error: 'expected true or false' }).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type DatabaseFileConfig = z.infer<typeof databaseFileSchema>;

export const configFileSchema = z
  .object({
    database: databaseFileSchema.optional(),
    /** More databases by name (temporal, temporal_visibility, ...); each gets its own pool. */
    databases: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, { error: 'database names are lower_snake_case' }), databaseFileSchema).optional(),
    log_level: z.enum(['debug', 'info', 'warn', 'error']).optional(),
  })
  .strict();

export type ConfigFile = z.infer<typeof configFileSchema>;
