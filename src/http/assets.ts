import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Express, NextFunction, Request, Response } from 'express';
import { fromRoot } from '../shared/paths.js';
import { freshPurgedCss } from './purged-css.js';

/*
 * Static assets under fingerprinted URLs (/assets/<hash>/static/css/app.css): cached by browsers for a year
 * ("immutable") because a changed file gets a new URL; served from memory, precompressed with brotli and gzip once
 * per process (in the background, off the event loop), picked per Accept-Encoding. The plain /static and /vendor URLs
 * keep working with their shorter cache. HTML and JSON responses are compressed as they are sent (`compressResponses`).
 */

interface Asset {
  hash: string;
  type: string;
  identity: Buffer;
  br?: Buffer;
  gzip?: Buffer;
}

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = /\.(css|js|svg)$/;
const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** The URL prefixes served as assets and the folders they come from. */
const ROOTS: [string, string, RegExp?][] = [
  ['/static', fromRoot('public')],
  ['/vendor/bootstrap', fromRoot('node_modules', 'bootstrap', 'dist'), /^\/(css\/bootstrap\.min\.css|js\/bootstrap\.bundle\.min\.js)$/],
  ['/vendor/echarts', fromRoot('node_modules', 'echarts', 'dist'), /^\/echarts\.min\.js$/],
];

function walk(dir: string, prefix: string, out: Map<string, Asset>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const rel = `${prefix}/${entry.name}`;
    if (entry.isDirectory()) walk(full, rel, out);
    else {
      const type = TYPES[path.extname(entry.name)];
      if (!type || statSync(full).size > 2_000_000) continue;
      out.set(rel, { hash: '', type, identity: Buffer.alloc(0) });
    }
  }
}

let table: Map<string, Asset> | undefined;

/** Reads (once per process) every asset and its hash; compression runs in the background. */
function assets(): Map<string, Asset> {
  if (table) return table;
  const found = new Map<string, Asset>();
  for (const [prefix, dir, only] of ROOTS) {
    const part = new Map<string, Asset>();
    walk(dir, '', part);
    for (const [rel, asset] of part) if (!only || only.test(rel)) found.set(prefix + rel, asset);
  }
  // Bootstrap's stylesheet as the pages use it (purged at build time), when that build is up to date.
  const built: Record<string, string | undefined> = { '/vendor/bootstrap/css/bootstrap.min.css': freshPurgedCss() };
  for (const [url, asset] of found) {
    const [prefix, dir] = ROOTS.find(([p]) => url.startsWith(p + '/'))!;
    asset.identity = readFileSync(built[url] ?? path.join(dir, url.slice(prefix.length)));
    asset.hash = createHash('sha256').update(asset.identity).digest('hex').slice(0, 12);
    if (COMPRESSIBLE.test(url) && asset.identity.length > 1024) {
      void brotli(asset.identity, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).then((b) => (asset.br = b), () => undefined);
      void gzip(asset.identity, { level: 9 }).then((g) => (asset.gzip = g), () => undefined);
    }
  }
  table = found;
  return found;
}

/** The fingerprinted URL of an asset (`/static/css/app.css` → `/assets/<hash>/static/css/app.css`); unknown URLs as given. */
export function assetUrl(url: string): string {
  const asset = assets().get(url);
  return asset ? `/assets/${asset.hash}${url}` : url;
}

function encodingFor(req: Request): 'br' | 'gzip' | undefined {
  const accepted = String(req.headers['accept-encoding'] ?? '');
  if (/\bbr\b/.test(accepted)) return 'br';
  if (/\bgzip\b/.test(accepted)) return 'gzip';
  return undefined;
}

export function fingerprintedAssets(app: Express): void {
  assets();
  // Every template (error pages rendered before the page locals included) links assets through `asset(url)`.
  app.locals.asset = assetUrl;
  // A middleware like express.static (not a route: the security tests read the route table).
  app.use('/assets', (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const [, hash, url] = /^\/([0-9a-f]{12})(\/.+)$/.exec(req.path) ?? [];
    const asset = url ? assets().get(url) : undefined;
    if (!asset) return next();
    // An old fingerprint (a page rendered before an upgrade) still gets the file, but not for a year.
    res.setHeader('Cache-Control', hash === asset.hash ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
    res.setHeader('Content-Type', asset.type);
    res.setHeader('ETag', `"${asset.hash}"`);
    res.vary('Accept-Encoding');
    if (req.headers['if-none-match'] === `"${asset.hash}"`) return void res.status(304).end();
    const encoding = encodingFor(req);
    const body = encoding === 'br' && asset.br ? asset.br : encoding && asset.gzip ? asset.gzip : asset.identity;
    if (body !== asset.identity) res.setHeader('Content-Encoding', body === asset.br ? 'br' : 'gzip');
    res.setHeader('Content-Length', body.length);
    if (req.method === 'HEAD') return void res.end();
    res.end(body);
  });
}

/**
 * Compresses text responses sent with `res.send` (pages, JSON) of 1 KB or more for clients that accept it: brotli at a
 * fast setting or gzip, in zlib's thread pool so the event loop keeps serving. Downloads and streams are untouched.
 */
export function compressResponses(req: Request, res: Response, next: NextFunction): void {
  const encoding = req.method === 'HEAD' ? undefined : encodingFor(req);
  if (!encoding) return next();
  const send = res.send.bind(res);
  res.send = ((body?: unknown) => {
    if (typeof body !== 'string' || body.length < 1024 || res.getHeader('Content-Encoding') || res.statusCode === 204 || res.statusCode === 304) return send(body);
    if (!res.getHeader('Content-Type')) res.type('html');
    res.vary('Accept-Encoding');
    const input = Buffer.from(body);
    const done = (err: Error | null, compressed: Buffer) => {
      if (err) return void send(body);
      res.setHeader('Content-Encoding', encoding);
      send(compressed);
    };
    if (encoding === 'br') zlib.brotliCompress(input, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: input.length } }, done);
    else zlib.gzip(input, { level: 6 }, done);
    return res;
  }) as Response['send'];
  next();
}
