import { Router, type Response } from 'express';
import { NotFoundError } from '../shared/errors.js';
import type { OpenDataService } from './open-data.service.js';
import { cellText, heading, LICENCE, LICENCE_LINE, PUBLISHER, SUPPRESSION_NOTE, TYPE_LABELS } from './open-data.view.js';

const FILE_RE = /^([a-z0-9-]{1,60})\.(json|csv|dictionary\.csv)$/;

/** Open data answers any origin (it is public by design) and may be cached for ten minutes. */
function publicHeaders(res: Response) {
  res.set({
    'Access-Control-Allow-Origin': '*',
    'Cross-Origin-Resource-Policy': 'cross-origin',
    'Cache-Control': 'public, max-age=600',
    Link: `<${LICENCE.url}>; rel="license"`,
  });
}

/** 数据开放: the public page, the catalogue (index.json), and each dataset as CSV, JSON and data dictionary. */
export function openDataRoutes(deps: { openData: OpenDataService; publicUrl: string }): Router {
  const { openData, publicUrl } = deps;
  const router = Router();

  router.get('/open-data', async (_req, res) => {
    const publication = await openData.publication();
    res.render('open-data/index', {
      title: '数据开放',
      publication,
      helpers: { cellText, heading, typeLabels: TYPE_LABELS },
      licence: LICENCE,
      licenceLine: LICENCE_LINE,
      publisher: PUBLISHER,
      suppressionNote: SUPPRESSION_NOTE,
      scripts: ['/vendor/echarts/echarts.min.js', '/static/js/dashboard.js'],
    });
  });

  router.get('/open-data/:file', async (req, res) => {
    const file = String(req.params.file);
    if (file === 'index.json') {
      publicHeaders(res);
      return res.json(openData.index(await openData.publication(), publicUrl));
    }
    const match = FILE_RE.exec(file);
    if (!match) throw new NotFoundError('没有这个数据文件。');
    const { publication, dataset } = await openData.dataset(match[1]!);
    publicHeaders(res);
    const name = `${dataset.def.title}_${publication.period.from.slice(0, 7)}_${publication.period.to.slice(0, 7)}`;
    if (match[2] === 'json') return res.json(openData.json(publication, dataset));
    if (match[2] === 'csv') return res.attachment(`${name}.csv`).type('text/csv; charset=utf-8').send(openData.csv(dataset));
    res.attachment(`${name}_数据字典.csv`).type('text/csv; charset=utf-8').send(openData.dictionaryCsv(publication, dataset));
  });

  return router;
}
