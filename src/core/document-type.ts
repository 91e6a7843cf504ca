/** Tells document formats apart by their bytes, not their file names (portals rename uploads). */
export type DocumentType = 'pdf' | 'zip' | 'cfb' | 'unknown';

export function sniffDocumentType(bytes: Uint8Array): DocumentType {
  const head = Buffer.from(bytes.subarray(0, 1024));
  if (head.includes('%PDF-')) return 'pdf';
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'zip';
  if (head.subarray(0, 8).equals(Buffer.from('d0cf11e0a1b11ae1', 'hex'))) return 'cfb';
  return 'unknown';
}
