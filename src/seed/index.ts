import type { DocumentStore } from '../uploads/storage.js';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { seedBundles, seedDemoChains } from './chains.js';
import { seedDemoAccounts } from './demo.js';
import { seedDemoNeeds } from './needs.js';
import { seedDemoEquipment } from './equipment.js';
import { seedDemoHistory } from './history.js';
import { seedDemoStandards } from './standards.js';
import { catalogIsEmpty, seedReference } from './reference.js';
import { seedDemoLedger } from './ledger.js';
import { seedDemoIntegrations } from './integrations.js';
import { seedServiceWindows } from './service-windows.js';
import { seedDemoWindow } from './window.js';
import { asBulkLoad } from './bulk-load.js';

export interface SeedOptions {
  demo: boolean;
  /** "Now" of the demo history (tests pin it). */
  now?: Date;
  logger?: Logger;
  /** Where the app keeps documents (its configured store): demo documents go there (else to a temporary directory). */
  documents?: DocumentStore;
  /**
   * Load the demo as a bulk load (src/seed/bulk-load.ts): only where the seed has the database to itself in one
   * session — the embedded database at its first start.
   */
  bulkLoad?: boolean;
}

/** The full seed: reference catalog always, demo accounts only when asked (never in production). Idempotent. */
export async function runSeed(db: Db, options: SeedOptions): Promise<void> {
  await seedReference(db);
  await seedServiceWindows(db);
  await seedBundles(db);
  options.logger?.info('seed: reference catalog upserted');
  if (options.demo) await (options.bulkLoad ? asBulkLoad(db, () => seedDemo(db, options)) : seedDemo(db, options));
}

/** Demo accounts, a year of history, ledgers, shared equipment, the window, chains and needs (never in production). */
async function seedDemo(db: Db, options: SeedOptions): Promise<void> {
  await seedDemoAccounts(db);
  await seedDemoStandards(db, options.now);
  const { bookings } = await seedDemoHistory(db, options.now);
  const ledger = await seedDemoLedger(db, options.now);
  options.logger?.info({ historyBookings: bookings, ledgerInstruments: ledger.instruments }, 'seed: demo accounts, history and instrument ledgers present');
  const sharing = await seedDemoEquipment(db, options.now);
  options.logger?.info(sharing, 'seed: demo shared equipment present');
  await seedDemoIntegrations(db);
  const window = await seedDemoWindow(db, options.now);
  options.logger?.info(window, 'seed: demo company admins, window duty, window cases and queue tickets present');
  const chains = await seedDemoChains(db, options.now);
  options.logger?.info(chains, 'seed: demo whole-chain requests present');
  const needs = await seedDemoNeeds(db, options.now, options.documents);
  options.logger?.info(needs, 'seed: demo experts and quality needs present');
}

/** On start: seed when the catalog is empty (a new database). */
export async function seedIfEmpty(db: Db, options: SeedOptions): Promise<boolean> {
  if (!(await catalogIsEmpty(db))) return false;
  await runSeed(db, options);
  return true;
}
