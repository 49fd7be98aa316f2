import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, type Options, type Store } from 'express-rate-limit';
import type { Db } from '../db/client.js';
import { accountIdOf } from './throttle.repo.js';

/*
 * Guessing limits for everything that checks a secret or reveals whether an account exists: sign-in, the current
 * password on the password form, and sign-up. Counters live in the database (every app process shares them).
 *
 * Sign-in counts failures per ACCOUNT — every identifier of one user (mobile, e-mail) is one key, so switching from the
 * mobile to the e-mail buys no extra guesses — and per ADDRESS. An identifier that is no account is counted under
 * itself, the same way, so the answers never tell whether it exists.
 *
 * A per-account lock lets anyone lock a colleague out by typing wrong passwords for them. So a device this account has
 * signed in on before is trusted: it carries a signed, long-lived cookie (HMAC of user id, issue day and a random
 * device id under the session secret; path /login, HttpOnly) and is judged by its own counter instead of the
 * account's and the address's. We chose the device over "a known-good address": offices and parks sit behind one NAT
 * address, which the person locking an account out may well share; a cookie only exists on a browser where the
 * password was typed correctly. A stolen cookie gives no more than its own small allowance of guesses.
 */

export interface Limit {
  limit: number;
  windowMs: number;
}

export interface ThrottleLimits {
  /** Failed sign-ins per source address (untrusted devices). */
  perIp: Limit;
  /** Failed sign-ins per account (all its identifiers), or per typed identifier when it is no account. */
  perAccount: Limit;
  /** Failed sign-ins from one trusted device (it bypasses the two above). */
  perDevice: Limit;
  /** Refused password changes per user (a wrong current password is a guess at it). */
  passwordCheck: Limit;
  /** Sign-up attempts per address. */
  register: Limit;
  /** Refused sign-ups per address: each may have told whether a mobile, e-mail or credit code is registered. */
  registerRefused: Limit;
}

/** What a caller may override (tests, deployments); the rest keeps the defaults. */
export type LoginThrottle = Partial<ThrottleLimits>;

const MINUTE = 60_000;
export const DEFAULT_THROTTLE: ThrottleLimits = {
  perIp: { limit: 30, windowMs: 15 * MINUTE },
  perAccount: { limit: 5, windowMs: 15 * MINUTE },
  perDevice: { limit: 10, windowMs: 15 * MINUTE },
  passwordCheck: { limit: 5, windowMs: 15 * MINUTE },
  register: { limit: 20, windowMs: 60 * MINUTE },
  registerRefused: { limit: 10, windowMs: 60 * MINUTE },
};

/** Called instead of the route when a counter is over its limit: the route's own page with the message. */
export type OnLimited = (req: Request, res: Response, retryAfterSeconds: number) => void;

const DEVICE_COOKIE = 'nqi.dev';
const DEVICE_DAYS = 180;

interface Counter {
  store: Store;
  key: string;
  limit: number;
  resetMs: number;
}

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/** The same account key for every way of typing one identifier: trimmed, e-mail lower-cased, mobile without +86 or spaces. */
export function normalIdentifier(raw: unknown): string {
  const text = typeof raw === 'string' ? raw.trim().slice(0, 120) : '';
  return text.includes('@') ? text.toLowerCase() : text.replace(/[\s-]/g, '').replace(/^\+?86(?=1\d{10}$)/, '');
}

export function makeThrottle(deps: { db: Db; store: (prefix: string) => Store; limits?: LoginThrottle; secret: string; secureCookie: boolean; now?: () => Date }) {
  const limits: ThrottleLimits = { ...DEFAULT_THROTTLE, ...deps.limits };
  const now = deps.now ?? (() => new Date());
  const stores = new Map<string, Store>();
  const storeFor = (prefix: string, windowMs: number): Store => {
    let store = stores.get(prefix);
    if (!store) {
      store = deps.store(prefix);
      void store.init?.({ windowMs } as Options);
      stores.set(prefix, store);
    }
    return store;
  };
  const counter = (prefix: string, limit: Limit, key: string): Counter => ({ store: storeFor(prefix, limit.windowMs), key, limit: limit.limit, resetMs: limit.windowMs });

  const mac = (payload: string) => createHmac('sha256', deps.secret).update(`device:${payload}`).digest('base64url').slice(0, 32);

  /** The device id when the request carries a valid device cookie issued to this user, else undefined. */
  function trustedDevice(req: Request, userId: number | undefined): string | undefined {
    const value = cookieValue(req, DEVICE_COOKIE);
    if (userId === undefined || !value) return undefined;
    const [uid, day, device, signature] = value.split('.');
    if (!uid || !day || !device || !signature || Number(uid) !== userId) return undefined;
    const expected = Buffer.from(mac(`${uid}.${day}.${device}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const ageDays = Math.floor(now().getTime() / 86_400_000) - Number(day);
    return ageDays >= 0 && ageDays <= DEVICE_DAYS ? device : undefined;
  }

  /**
   * Counts the request against every counter before it runs (so parallel requests cannot slip past the limit), answers
   * with `onLimited` when one is over, and gives the count back when the request succeeded (status below 400).
   */
  async function gate(req: Request, res: Response, next: NextFunction, counters: Counter[], onLimited: OnLimited, refundOnSuccess: Counter[] = counters) {
    let retryAfterMs = 0;
    for (const c of counters) {
      const { totalHits, resetTime } = await c.store.increment(c.key);
      if (totalHits > c.limit) retryAfterMs = Math.max(retryAfterMs, resetTime ? resetTime.getTime() - Date.now() : c.resetMs);
    }
    if (retryAfterMs > 0) {
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
      return onLimited(req, res, Math.max(1, Math.ceil(retryAfterMs / 1000)));
    }
    if (refundOnSuccess.length) {
      res.once('finish', () => {
        if (res.statusCode < 400) for (const c of refundOnSuccess) void Promise.resolve(c.store.decrement(c.key)).catch(() => undefined);
      });
    }
    next();
  }

  const ipOf = (req: Request) => ipKeyGenerator(req.ip ?? '');

  return {
    limits,

    /** POST /login: per account and address, or per trusted device. */
    login(onLimited: OnLimited): RequestHandler {
      return (req, res, next) => {
        const identifier = normalIdentifier((req.body as Record<string, unknown> | undefined)?.identifier);
        accountIdOf(deps.db, identifier)
          .then((userId) => {
            const device = trustedDevice(req, userId);
            const counters = device
              ? [counter('login-device', limits.perDevice, device)]
              : [counter('login-ip', limits.perIp, ipOf(req)), counter('login-account', limits.perAccount, userId !== undefined ? `u${userId}` : `id:${identifier || ipOf(req)}`)];
            return gate(req, res, next, counters, onLimited);
          })
          .catch(next);
      };
    },

    /** After a successful sign-in: this browser becomes a trusted device of the user (see above). */
    rememberDevice(req: Request, res: Response, userId: number): void {
      const day = Math.floor(now().getTime() / 86_400_000);
      const device = trustedDevice(req, userId) ?? randomBytes(12).toString('base64url');
      res.cookie(DEVICE_COOKIE, `${userId}.${day}.${device}.${mac(`${userId}.${day}.${device}`)}`, {
        path: '/login',
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.secureCookie,
        maxAge: DEVICE_DAYS * 86_400_000,
        encode: String,
      });
    },

    /** POST /account/password: refused changes per user (the current password is guessed there). */
    passwordCheck(onLimited: OnLimited): RequestHandler {
      return (req, res, next) => {
        const userId = (req.user as { id?: number } | undefined)?.id;
        if (userId === undefined) return next();
        gate(req, res, next, [counter('password-check', limits.passwordCheck, `u${userId}`)], onLimited).catch(next);
      };
    },

    /**
     * POST /register: attempts and refusals per address. A refusal may say that a mobile, e-mail or credit code is
     * already registered — the person signing up must be told (to sign in instead, or to ask the company's admin) —
     * so refusals are few per hour: existence cannot be probed at speed.
     */
    register(onLimited: OnLimited): RequestHandler {
      return (req, res, next) => {
        const ip = ipOf(req);
        const refused = counter('register-refused', limits.registerRefused, ip);
        gate(req, res, next, [counter('register', limits.register, ip), refused], onLimited, [refused]).catch(next);
      };
    },
  };
}

export type Throttle = ReturnType<typeof makeThrottle>;
