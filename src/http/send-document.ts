import type { Response } from 'express';

export interface StoredDocument {
  content: Buffer;
  mimeType: string;
  /** The random stored name: documents never change, so it is their ETag. */
  storedName: string;
  /** Offered as a download under this name; without it the document is shown inline (photos). */
  downloadName?: string;
}

/**
 * Every document download answers through here, whichever store (disk or database) held it: the type as checked at
 * upload, nosniff, and private no-store unless the caller says the document is public (listed equipment photos).
 */
export function sendDocument(res: Response, doc: StoredDocument, cacheControl = 'private, no-store'): void {
  if (doc.downloadName) res.attachment(doc.downloadName);
  res.setHeader('Content-Type', doc.mimeType);
  res.setHeader('Cache-Control', cacheControl);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('ETag', `"${doc.storedName}"`);
  res.send(doc.content);
}
