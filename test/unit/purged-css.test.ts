import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { buildPurgedCss, freshPurgedCss, PURGED_CSS } from '../../src/http/purged-css.js';

describe('the Bootstrap CSS the pages use (PurgeCSS build)', () => {
  let css = '';
  before(async function () {
    this.timeout(60_000);
    await buildPurgedCss();
    css = readFileSync(PURGED_CSS, 'utf8');
  });

  it('keeps what templates, scripts and presenters use, and what the menu script toggles', () => {
    for (const selector of [
      '.navbar-expand-lg', // views/partials/header.ejs
      '.text-bg-warning', // a badge tone written by src/http/view-helpers.ts
      '.alert-danger', // views/partials/flash.ejs builds alert-<kind> from a value
      '.is-invalid', // public/js/app.js clears it
      '.collapse:not(.show)', // the navbar menu public/js/app.js opens
      '.dropdown-menu.show', // the account menu
      '.dropdown-menu-end[data-bs-popper]', // placed statically in the navbar
      '.visually-hidden-focusable', // the skip link
    ]) {
      expect(css, selector).to.contain(selector);
    }
  });

  it('drops the components no page uses and is under half the whole stylesheet', () => {
    for (const unused of ['.carousel-item', '.spinner-grow', '.accordion-button']) expect(css, unused).not.to.contain(unused);
    const whole = readFileSync('node_modules/bootstrap/dist/css/bootstrap.min.css', 'utf8');
    expect(css.length).to.be.below(whole.length / 2);
  });

  it('is served only while it is newer than every view, script and source file', () => {
    expect(freshPurgedCss()).to.equal(PURGED_CSS);
  });
});
