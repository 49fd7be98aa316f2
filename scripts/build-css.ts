// npm run build (after tsc): writes dist/css/bootstrap.min.css, the Bootstrap CSS the pages use (src/http/purged-css.ts).
import { buildPurgedCss } from '../src/http/purged-css.js';

const startedAt = Date.now();
const { full, purged } = await buildPurgedCss();
console.log(`CSS: Bootstrap ${Math.round(full / 1024)} KB → ${Math.round(purged / 1024)} KB used by the pages (${Date.now() - startedAt} ms)`);
