import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';

/**
 * PostgreSQL extensions the migrations create, registered with every embedded instance (PGlite loads an extension's
 * files only when it is registered at start).
 */
export const PGLITE_EXTENSIONS = { btree_gist };
