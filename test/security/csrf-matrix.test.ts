import { expect } from 'chai';
import type { Agent } from '../support/app.js';
import { PDF } from '../support/bookings.js';
import { IN_SCOPE, stateChanging, type Attempt } from './actions.js';
import { buildWorld, stateDigest, tokenOf, type World } from './fixture.js';
import { routeTable } from './routes.js';

/** Every way a client can send a POST body; the app reads urlencoded forms everywhere and multipart only on upload routes. */
const BODIES = ['urlencoded', 'multipart', 'multipart with a file', 'json', 'text/plain'] as const;
type Body = (typeof BODIES)[number];

function send(a: Attempt, body: Body, token: string | undefined) {
  const { _csrf: _ignored, ...rest } = a.fields;
  const fields: Record<string, string | string[]> = token === undefined ? rest : { _csrf: token, ...rest };
  let req = a.agent.post(a.url);
  // The header is how a script sends the token; a form sends it as a field. "With a token" sends both, "without" neither.
  if (token !== undefined && body !== 'urlencoded') req = req.set('X-CSRF-Token', token);
  switch (body) {
    case 'urlencoded':
      return req.type('form').send(fields);
    case 'json':
      return req.set('Content-Type', 'application/json').send(JSON.stringify(fields));
    case 'text/plain':
      return req.set('Content-Type', 'text/plain').send(new URLSearchParams(Object.entries(fields).flatMap(([k, v]) => [v].flat().map((x): [string, string] => [k, x]))).toString());
    default: {
      // `curl -F x=1` style: the token (when sent) first, as our forms have it
      for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) req = req.field(k, x);
      if (body === 'multipart with a file') {
        const file = a.files?.[0] ?? { field: 'file_other', buffer: PDF, name: '附件.pdf' };
        req = req.attach(file.field, file.buffer, file.name);
      }
      return req;
    }
  }
}

const signedIn = async (agent: Agent) => (await agent.get('/account')).status === 200;

describe('security: CSRF × content type on every state-changing route', function () {
  this.timeout(300_000);
  let w: World;
  before(async () => {
    w = await buildWorld();
  });
  after(() => w?.t.close());

  it('has a valid in-scope request for every state-changing route of the route table', () => {
    const routes = stateChanging(routeTable(w.t.app));
    expect(routes.filter((r) => !(r in IN_SCOPE)), 'routes without an in-scope request').to.deep.equal([]);
    expect(Object.keys(IN_SCOPE).filter((k) => !routes.includes(k)), 'requests for routes that no longer exist').to.deep.equal([]);
  });

  for (const [key, spec] of Object.entries(IN_SCOPE)) {
    const supported = (body: Body) => body === 'urlencoded' || (spec.upload === true && body.startsWith('multipart'));
    it(`${key}: every body type without a token → 403, nothing saved; with a token only ${spec.needsFile ? 'multipart with its file' : spec.upload ? 'urlencoded and multipart' : 'urlencoded'} succeed(s)${spec.needsFile ? ' (without the file → 422)' : ''}, the rest → 415`, async () => {
      const who = spec.who[0]!;
      const attempt = await spec.prepare(w, who);
      const token = await tokenOf(attempt.agent, attempt.signedIn);
      const before = await stateDigest(w.t);
      for (const body of BODIES) {
        const res = await send(attempt, body, undefined);
        expect(res.status, `${body} without a token`).to.equal(403);
        expect(res.text, `${body} without a token`).to.contain('表单已过期');
      }
      for (const body of BODIES.filter((b) => !supported(b))) {
        const res = await send(attempt, body, token);
        expect(res.status, `${body} with a valid token`).to.equal(415);
      }
      // A route that takes nothing but a file refuses a supported body without one (422 with its message), saving nothing.
      if (spec.needsFile) {
        for (const body of BODIES.filter((b) => supported(b) && b !== 'multipart with a file')) {
          const res = await send(attempt, body, token);
          expect(res.status, `${body} with a valid token but no file`).to.equal(422);
        }
      }
      expect(await stateDigest(w.t), 'refused requests changed data').to.deep.equal(before);
      expect(await signedIn(attempt.agent), 'a refused request changed the session').to.equal(attempt.signedIn);

      // The supported types do what the route is for (each on a fresh record).
      for (const [i, body] of BODIES.filter((b) => supported(b) && (!spec.needsFile || b === 'multipart with a file')).entries()) {
        const a = i === 0 ? attempt : await spec.prepare(w, who);
        const res = await send(a, body, i === 0 ? token : await tokenOf(a.agent, a.signedIn));
        expect(res.status, `${body} with a valid token: ${res.text?.slice(0, 300)}`).to.be.below(400);
        await a.done({ status: res.status, headers: res.headers as Record<string, string> });
      }
    });
  }
});
