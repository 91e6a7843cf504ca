/**
 * The documents the tests make with real producers (LibreOffice, pandoc, Chromium) and cache under tests/.cache
 * (appearance/, ooxml/), made ahead by the global setup when missing, so that `bash scripts/setup.sh --tests` builds
 * them with the other fixtures and no test run pays for them. Each maker caches by its recipe and the tool's build,
 * exactly as when a test calls it; a test that needs one still makes it if it is missing.
 */
import { compressedLetterPdf, croppedLetterPdf, letterPdf, pdfaLetterPdf, rotatedLetterPdf } from '../appearance/documents.js';
import { keywordForms } from '../appearance/forms.js';
import { makeAmpersandLinkDocument, makeLegacyDoc, makeLibreOfficeDocuments, makePandocDocuments } from '../ooxml/documents.js';

/** Makes what is missing. A producer that is not installed here is skipped: the tests that need it say so themselves. */
export async function warmDocumentCaches(): Promise<void> {
  const makers: Array<() => unknown> = [
    letterPdf,
    () => pdfaLetterPdf(1),
    () => pdfaLetterPdf(2),
    () => rotatedLetterPdf(90),
    () => rotatedLetterPdf(180),
    () => rotatedLetterPdf(270),
    compressedLetterPdf,
    croppedLetterPdf,
    keywordForms,
    makeLibreOfficeDocuments,
    makeAmpersandLinkDocument,
    () => makeLegacyDoc(makePandocDocuments()[0]!.bytes),
  ];
  for (const make of makers) {
    try {
      await make();
    } catch {
      // not installed here, or failing: the test that uses it reports it
    }
  }
}
