/**
 * A QR code as SVG markup for a page (receipts, reports, tracking). The library is loaded on first use: it is not
 * needed to start the server, and every module loaded at start is time before the first answer.
 */
export async function qrSvg(text: string): Promise<string> {
  const { default: QRCode } = await import('qrcode');
  return QRCode.toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
}
