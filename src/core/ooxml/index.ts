/** Office Open XML (DOCX, XLSX, PPTX) package signatures: sign as Microsoft Office does, and verify. */
export { signOoxml, defaultHash, type OoxmlSignOptions } from './sign.js';
export { verifyOoxml, type OoxmlSignatureReport, type OoxmlSigner, type OoxmlVerification } from './verify.js';
