import { parse, type HTMLElement } from 'node-html-parser';
import type { Agent } from '../support/app.js';

export interface FormField {
  name: string;
  /** input type, or 'select' / 'textarea'. */
  type: string;
  /** What the page would send unchanged (checked boxes, selected options, typed-in defaults). */
  value: string;
  /** A select's option values (so a valid fill can choose one). */
  options?: string[];
  /** The control is marked required. */
  required?: boolean;
  /** An unchecked checkbox: a browser does not send it (listed so that a valid fill can tick it). */
  unchecked?: boolean;
}

export interface FoundForm {
  /** The page it was found on. */
  page: string;
  action: string;
  method: 'get' | 'post';
  multipart: boolean;
  fields: FormField[];
}

/**
 * Links a crawler must not follow: they sign out, download files or leave the HTML pages; and the public catalog's
 * sixty service and node pages, the open-data page and the equipment figures, the dashboards' drill-down lists (one
 * per figure and row; the list itself is reached from the admin menu) and the calendar's other years, which hold no
 * new POST form and would use up the page budget; and the 大字版 switch (a visitor's cookie, not a page).
 */
const SKIP_LINK = /^\/(logout|static|vendor|favicon|open-data)|^\/(services|nodes)\/|^\/equipment\/(stats|statements)|\/(attachments|pdf|export|xlsx)\b|\.(csv|xlsx|pdf|json)(\?|$)|^\/admin\/bookings\?|^\/admin\/calendar\?year=|^\/display\?/;

function fieldsOf(form: HTMLElement, root: HTMLElement): FormField[] {
  const id = form.getAttribute('id');
  const controls = [...form.querySelectorAll('input, select, textarea'), ...(id ? root.querySelectorAll(`[form="${id}"]`) : [])];
  const fields: FormField[] = [];
  const unchecked: FormField[] = [];
  for (const el of controls) {
    const name = el.getAttribute('name');
    if (!name || el.hasAttribute('disabled')) continue;
    const tag = el.tagName.toLowerCase();
    const type = tag === 'input' ? (el.getAttribute('type') ?? 'text').toLowerCase() : tag;
    if (type === 'file' || type === 'submit' || type === 'button') continue;
    if ((type === 'checkbox' || type === 'radio') && !el.hasAttribute('checked')) {
      // an unchecked radio group still gets a value from its first option when nothing is checked
      if (type === 'radio' && !fields.some((f) => f.name === name)) fields.push({ name, type, value: el.getAttribute('value') ?? 'on' });
      // an unchecked box is not sent, but a valid fill may need to tick it (the sign-up's consent)
      if (type === 'checkbox') unchecked.push({ name, type, value: el.getAttribute('value') ?? 'on', unchecked: true });
      continue;
    }
    if (type === 'radio') {
      const i = fields.findIndex((f) => f.name === name);
      if (i >= 0) fields.splice(i, 1);
    }
    let value = el.getAttribute('value') ?? (type === 'checkbox' ? 'on' : '');
    if (tag === 'textarea') value = el.text;
    if (tag === 'select') value = (el.querySelector('option[selected]') ?? el.querySelector('option'))?.getAttribute('value') ?? '';
    const options = tag === 'select' ? el.querySelectorAll('option').map((o) => o.getAttribute('value') ?? '') : undefined;
    fields.push({ name, type, value, ...(options ? { options } : {}), ...(el.hasAttribute('required') ? { required: true } : {}) });
  }
  return [...fields, ...unchecked.filter((u) => !fields.some((f) => f.name === u.name))];
}

/**
 * Opens pages as one visitor, breadth first from the start pages, following the app's own links, and returns every
 * POST form it saw (one per action URL), and separately every GET form (filters, searches). The forms are what the fuzzing suite attacks, so a new form is covered
 * without anyone listing it.
 */
export async function crawlForms(
  agent: Agent,
  start: string[],
  maxPages = 80,
  /** Called with every page fetched (whatever its status), so a caller can check it without fetching it again. */
  onPage?: (url: string, res: { status: number; text: string }) => void,
): Promise<{ forms: FoundForm[]; getForms: FoundForm[]; pages: string[] }> {
  const queue = [...start];
  const seen = new Set<string>();
  const forms = new Map<string, FoundForm>();
  while (queue.length && seen.size < maxPages) {
    const url = queue.shift()!;
    if (seen.has(url)) continue;
    seen.add(url);
    const res = await agent.get(url);
    onPage?.(url, { status: res.status, text: res.text ?? '' });
    if (res.status !== 200 || !String(res.headers['content-type']).startsWith('text/html')) continue;
    const root = parse(res.text);
    for (const form of root.querySelectorAll('form')) {
      const method = (form.getAttribute('method') ?? 'get').toLowerCase() === 'post' ? 'post' : 'get';
      const action = form.getAttribute('action') ?? url.split('?')[0]!;
      if (!action.startsWith('/') || action.startsWith('/logout')) continue;
      // one entry per action and set of fields (the booking form differs per service)
      const fields = fieldsOf(form, root);
      // One form per kind: the same form for the next offering, service or user (ids differ) adds nothing.
      const key = `${method} ${action.replace(/\/\d+(?=\/|$)/g, '/#')}|${[...new Set(fields.map((f) => f.name.replace(/\d+/g, '#')))].sort().join(',')}`;
      if (!forms.has(key)) forms.set(key, { page: url, action, method, multipart: (form.getAttribute('enctype') ?? '').includes('multipart'), fields });
    }
    for (const a of root.querySelectorAll('a[href]')) {
      const href = a.getAttribute('href')!.split('#')[0]!;
      if (!href.startsWith('/') || href.startsWith('//') || SKIP_LINK.test(href) || seen.has(href)) continue;
      // one page per list with filters or paging is enough
      if (/[?&](page|status|period|from|to|q)=/.test(href) && seen.has(href.split('?')[0]!)) continue;
      // one service's window page is enough: a node offers dozens, all the same form
      if (/\/offerings\/\d+\/windows$/.test(href) && [...seen, ...queue].some((u) => /\/offerings\/\d+\/windows$/.test(u))) continue;
      queue.push(href);
    }
  }
  const all = [...forms.values()];
  return { forms: all.filter((f) => f.method === 'post'), getForms: all.filter((f) => f.method === 'get'), pages: [...seen] };
}
