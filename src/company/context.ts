import type { Db } from '../db/client.js';
import type { Clock } from '../shared/time.js';

/** What the company workspace's use cases work with; built once by the composition root. */
export interface CompanyDeps {
  db: Db;
  clock: Clock;
  /** Ends every session of a user at once (a deactivated colleague is signed out everywhere). */
  destroySessions: (userId: number) => Promise<void>;
  /** E-mail is sent (through the outbox) only when SMTP_URL is set; otherwise resets go through a company admin. */
  emailEnabled: boolean;
  /** The platform's own address, for links in e-mails. */
  publicUrl: string;
}
