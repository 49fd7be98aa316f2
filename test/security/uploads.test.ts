import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { attachments, bookings, reports, storedFiles } from '../../src/db/schema.js';
import type { Agent } from '../support/app.js';
import { calibrationFields, EXE, filesUnder, openBookingForm, PDF, PNG, postMultipart, type FileToSend } from '../support/bookings.js';
import { bookCalibration, labAction } from '../support/lab.js';
import { advance, buildWorld, stateDigest, tokenOf, type World } from './fixture.js';

const HTML_AS_PDF = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>');
const SVG_AS_PNG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>');

/** Each refusal: the files sent, the message the page must show next to the upload field. */
function refusals(field: string): [string, FileToSend[], RegExp][] {
  return [
    ['an executable named .pdf', [{ field, buffer: EXE, name: '报告.pdf' }], /不是允许的类型/],
    ['HTML with a script named .pdf', [{ field, buffer: HTML_AS_PDF, name: 'report.pdf' }], /不是允许的类型/],
    ['an SVG with a script named .png', [{ field, buffer: SVG_AS_PNG, name: 'photo.png' }], /不是允许的类型|须为 PDF/],
    ['a double extension', [{ field, buffer: PDF, name: 'report.pdf.exe' }], /扩展名与内容不符/],
    ['an executable with a double extension', [{ field, buffer: EXE, name: 'setup.exe.pdf' }], /不是允许的类型/],
    ['a path in the file name', [{ field, buffer: PDF, name: '../../../etc/cron.d/x.pdf' }], /含有路径或不允许的字符/],
    ['a Windows path in the file name', [{ field, buffer: PDF, name: '..\\..\\windows\\x.pdf' }], /含有路径或不允许的字符/],
    ['an empty file', [{ field, buffer: Buffer.alloc(0), name: 'empty.pdf' }], /空文件/],
    ['a file over 10 MB', [{ field, buffer: Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]), name: 'big.pdf' }], /超过 10 MB/],
    ['too many files', Array.from({ length: 12 }, (_, i) => ({ field, buffer: PDF, name: `f${i}.pdf` })), /最多上传|数量|只能上传/],
  ];
}

describe('security: uploads on every form that takes files', function () {
  this.timeout(120_000);
  let w: World;
  let reported: string;
  let verified: string;
  let needNumber: string;

  before(async () => {
    w = await buildWorld();
    // Y waits for corrections (entB's resubmit form); a second booking of entA has a report without its signed PDF.
    const page = await w.agents.mgr2.get(`/lab/bookings/${w.y.number}`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    await w.agents.mgr2.post(`/lab/bookings/${w.y.number}/needs_info`).type('form').send({ _csrf: csrf, reason: '请补充上次检定证书' });
    reported = await bookCalibration(w.t, w.users.entA.id, { slot: '2026-09-30|am', serials: ['UP-1'] });
    await advance(w.t, w.agents, w.users, reported, ['accept', 'receive', 'start', 'submit_results', 'verify', 'issue_report']);
    verified = await bookCalibration(w.t, w.users.entA.id, { slot: '2026-09-30|pm', serials: ['UP-2'] });
    await advance(w.t, w.agents, w.users, verified, ['accept', 'receive', 'start', 'submit_results', 'verify']);
    needNumber = await w.t.services.needs.submit((await w.t.services.auth.loadPrincipal(w.users.entA.id))!, { type: '技术难题', title: '附件测试需求', description: '带附件的质量需求，用于上传检查。', preferredWay: 'online' });
  });
  after(() => w?.t.close());

  const endpoints: { label: string; agent: (w: World) => Agent; url: () => string; field: string; fields: Record<string, string> }[] = [
    { label: 'resubmission (company)', agent: (x) => x.agents.entB, url: () => `/bookings/${w.y.number}/resubmit`, field: 'file_correction', fields: { note: '已补充证书' } },
    { label: 'signed report PDF (lab)', agent: (x) => x.agents.staff1, url: () => `/lab/bookings/${reported}/upload_report_pdf`, field: 'file_report_pdf', fields: { reason: '盖章扫描件' } },
    { label: 'quality need (company)', agent: (x) => x.agents.entA, url: () => '/needs', field: 'file_need_file', fields: { type: '技术难题', title: '带伪装文件的需求', description: '这份需求附带的文件应被拒收。', preferredWay: 'online' } },
    { label: 'message on a quality need (company)', agent: (x) => x.agents.entA, url: () => `/needs/${needNumber}/messages`, field: 'file_need_file', fields: { body: '补充一份材料。' } },
    { label: 'issuing a report with its signed PDF (lab)', agent: (x) => x.agents.mgr1, url: () => `/lab/bookings/${verified}/issue_report`, field: 'file_report_pdf', fields: {} },
  ];

  for (const endpoint of endpoints) {
    for (const [label, files, message] of refusals(endpoint.field)) {
      it(`${endpoint.label}: refuses ${label} with a message, saves nothing and leaves no file`, async () => {
        const agent = endpoint.agent(w);
        const before = await stateDigest(w.t);
        const stored = filesUnder(w.t.uploadDir).length;
        const res = await postMultipart(agent, endpoint.url(), { _csrf: await tokenOf(agent, true), ...endpoint.fields }, files);
        expect(res.status, res.text.slice(0, 200)).to.equal(422);
        expect(res.text).to.match(message);
        expect(await stateDigest(w.t)).to.deep.equal(before);
        expect(filesUnder(w.t.uploadDir).length).to.equal(stored);
      });
    }
  }

  it('accepts a real PDF for the signed report, pending until a signatory other than the uploader confirms it, under a random name inside the upload folder', async () => {
    const uploader = w.agents.staff1;
    const res = await postMultipart(uploader, `/lab/bookings/${reported}/upload_report_pdf`, { _csrf: await tokenOf(uploader, true), reason: '盖章扫描件' }, [{ field: 'file_report_pdf', buffer: PDF, name: '签章报告.pdf' }]);
    expect(res.status).to.equal(303);
    const [b] = await w.t.db.select().from(bookings).where(eq(bookings.number, reported));
    const [pending] = await w.t.db.select().from(reports).where(eq(reports.bookingId, b!.id));
    expect(pending).to.include({ pdfAttachmentId: null, pendingPdfBy: w.users.staff1.id, pendingPdfReason: '盖章扫描件' });
    // not part of the report yet: the company cannot download it
    expect((await w.agents.entA.get(`/bookings/${reported}/reports/1/pdf`)).status).to.equal(404);
    expect((await w.agents.entA.get(`/bookings/${reported}/attachments/${pending!.pendingPdfAttachmentId}`)).status).to.equal(404);
    expect((await labAction(uploader, reported, 'confirm_report_pdf')).status).to.equal(409); // the uploader cannot confirm
    expect((await labAction(w.agents.mgr1, reported, 'confirm_report_pdf')).status).to.equal(303);
    const [report] = await w.t.db.select().from(reports).where(eq(reports.bookingId, b!.id));
    expect(report).to.include({ pdfAttachmentId: pending!.pendingPdfAttachmentId, pendingPdfAttachmentId: null });
    expect((await w.agents.entA.get(`/bookings/${reported}/reports/1/pdf`)).status).to.equal(200);
    const [file] = await w.t.db.select().from(attachments).where(eq(attachments.id, report!.pdfAttachmentId!));
    expect(file).to.include({ originalName: '签章报告.pdf', mimeType: 'application/pdf', purpose: 'report_pdf' });
    expect(file!.storedName).to.match(/^[a-f0-9]{32}$/);
    // kept by the configured store: a file in the upload folder (disk) or a row of stored_files (database)
    if (w.t.config.fileStore === 'disk') expect(filesUnder(w.t.uploadDir).some((p) => p.endsWith(file!.storedName))).to.equal(true);
    else expect(await w.t.db.$count(storedFiles, eq(storedFiles.storedName, file!.storedName))).to.equal(1);
    // a PNG is a valid upload elsewhere, but not a signed report
    const agent = w.agents.mgr1;
    const png = await postMultipart(agent, `/lab/bookings/${verified}/issue_report`, { _csrf: await tokenOf(agent, true) }, [{ field: 'file_report_pdf', buffer: PNG, name: 'scan.png' }]);
    expect(png.status).to.equal(422);
    expect(png.text).to.contain('签章报告须为 PDF 文件');
  });

  it('stores file names without bidi and invisible characters, so a name cannot disguise what a file is', async () => {
    const agent = w.agents.entA;
    const page = await openBookingForm(agent, 'CAL-PG', w.x.nodeId);
    // "报告\u202Egnp.pdf" would display as "报告fdp.png"; zero-width and BOM characters hide in plain sight
    const res = await postMultipart(agent, '/bookings', calibrationFields(page, w.x.nodeId, { slot: '2026-10-08|am', 'items[0][serialNo]': 'BIDI-1', 'items[1][serialNo]': 'BIDI-2' }), [
      { field: 'file_other', buffer: PDF, name: '报告\u202Egnp.pdf' },
      { field: 'file_instrument_list', buffer: PDF, name: '\u2066清单\u200B\uFEFF\u2069.pdf' },
    ]);
    expect(res.status, res.text.slice(0, 300)).to.equal(303);
    const number = res.headers.location!.split('/').pop()!;
    const [b] = await w.t.db.select({ id: bookings.id }).from(bookings).where(eq(bookings.number, number));
    const names = (await w.t.db.select({ n: attachments.originalName }).from(attachments).where(eq(attachments.bookingId, b!.id))).map((r) => r.n).sort();
    expect(names).to.deep.equal(['报告gnp.pdf', '清单.pdf'].sort());
    // the classic disguise: a name ending in ".exe" that displays as "….pdf" is judged by its real extension
    const before = await stateDigest(w.t);
    const page2 = await openBookingForm(agent, 'CAL-PG', w.x.nodeId);
    const disguised = await postMultipart(agent, '/bookings', calibrationFields(page2, w.x.nodeId, { slot: '2026-10-08|pm' }), [{ field: 'file_other', buffer: EXE, name: '合同\u202Efdp.exe' }]);
    expect(disguised.status).to.equal(422);
    expect(disguised.text).to.contain('合同fdp.exe').and.not.contain('\u202E');
    expect(await stateDigest(w.t)).to.deep.equal(before);
  });

  it('refuses a file sent under a field the form does not have, and a truncated multipart body', async () => {
    const agent = w.agents.entB;
    const before = await stateDigest(w.t);
    const stored = filesUnder(w.t.uploadDir).length;
    const token = await tokenOf(agent, true);
    const stray = await postMultipart(agent, `/bookings/${w.y.number}/resubmit`, { _csrf: token, note: 'x' }, [{ field: 'file_anything', buffer: PDF, name: 'a.pdf' }]);
    expect(stray.status).to.equal(422);
    const truncated = await agent
      .post(`/bookings/${w.y.number}/resubmit`)
      .set('Content-Type', 'multipart/form-data; boundary=----x')
      .send(`------x\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n------x\r\nContent-Disposition: form-data; name="file_correction"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 trunc`);
    expect(truncated.status).to.be.oneOf([400, 403, 422]);
    expect(await stateDigest(w.t)).to.deep.equal(before);
    expect(filesUnder(w.t.uploadDir).length).to.equal(stored);
  });
});
