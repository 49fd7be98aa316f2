import { expect } from 'chai';
import { viewHelpers } from '../../src/http/view-helpers.js';

describe('view helpers: one place decides how a state is drawn', () => {
  const h = viewHelpers;

  it("draws a report status in its colour, with its label or the page's own wording", () => {
    expect(h.reportStatusBadge('valid')).to.equal('<span class="badge text-bg-success">有效</span>');
    expect(h.reportStatusBadge('revoked')).to.equal('<span class="badge text-bg-danger">已撤销</span>');
    expect(h.reportStatusBadge('replaced')).to.equal('<span class="badge text-bg-secondary">已替换</span>');
    expect(h.reportStatusBadge('replaced', '已被新版本替换', 'fs-6')).to.equal('<span class="badge text-bg-secondary fs-6">已被新版本替换</span>');
  });

  it('draws conclusions and judgements: pass green, fail red, the rest neutral', () => {
    expect(h.conclusionBadge('pass')).to.equal('<span class="badge text-bg-success">合格</span>');
    expect(h.conclusionBadge('fail')).to.equal('<span class="badge text-bg-danger">不合格</span>');
    expect(h.conclusionBadge('calibrated', '校准（给出数据）')).to.equal('<span class="badge text-bg-info">校准（给出数据）</span>');
    expect(h.judgementBadge('fail')).to.equal('<span class="badge text-bg-danger">不合格</span>');
    expect(h.judgementBadge('no_limit')).to.equal('<span class="badge text-bg-secondary">无限值</span>');
  });

  it('draws a credit-code review, nothing when there is none to show', () => {
    expect(h.creditReviewBadge('pending')).to.equal('<span class="badge text-bg-warning">待复核</span>');
    expect(h.creditReviewBadge('approved')).to.equal('<span class="badge text-bg-light border">已复核</span>');
    expect(h.creditReviewBadge('rejected')).to.equal('<span class="badge text-bg-danger">复核未通过</span>');
    expect(h.creditReviewBadge('none')).to.equal('');
    expect(h.creditReviewBadge('toString')).to.equal('');
  });

  it('draws read state, deactivation and node kinds', () => {
    expect(h.readBadge(true, 'mt-1')).to.equal('<span class="badge text-bg-light border mt-1">已读</span>');
    expect(h.readBadge(false, 'mt-1')).to.equal('<span class="badge text-bg-warning mt-1">未读</span>');
    expect(h.inactiveBadge('align-middle')).to.equal('<span class="badge text-bg-secondary align-middle">已停用</span>');
    expect(h.nodeKindBadge('lab')).to.equal('<span class="badge rounded-pill kind-badge-lab">专业实验室</span>');
  });

  it('escapes what it is given (unknown values are shown as they are, escaped)', () => {
    expect(h.badge('<b>&', 'info', '"x')).to.equal('<span class="badge text-bg-info &#34;x">&lt;b&gt;&amp;</span>');
    expect(h.nodeKindBadge('<x>')).to.equal('<span class="badge rounded-pill kind-badge-&lt;x&gt;">&lt;x&gt;</span>');
    expect(h.statusBadge('submitted')).to.equal('<span class="badge status-badge status-submitted">待受理</span>');
  });
});
