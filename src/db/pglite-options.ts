import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';

/**
 * PostgreSQL extensions the migrations create, registered with every embedded instance (PGlite loads an extension's
 * files only when it is registered at start).
 */
export const PGLITE_EXTENSIONS = { btree_gist };

/**
 * How every embedded instance is started. PGlite keeps PostgreSQL's default shared_buffers of 128 MB inside its
 * WebAssembly memory, and a server's pages filled it: 32 MB holds a small node's working set (the demo database is a
 * few MB) while the data files stay in the operating system's cache, and saved ~150 MB of resident memory under load
 * (the ceiling for the embedded default is 500 MB).
 */
export const PGLITE_OPTIONS: Pick<PGliteOptions, 'extensions' | 'startParams'> = {
  extensions: PGLITE_EXTENSIONS,
  startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'],
};
