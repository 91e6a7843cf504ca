/** Certificate checks before signing, and the OCSP/CRL data long-term signatures embed. */
export { checkCertificate, assertMaySign, type CertificateCheck, type CertificateProblem, type CertificateProblemCode, type CheckOptions } from './check.js';
export { RevocationSource, certificatesIn, type RevocationStatus, type RevocationSourceOptions } from './source.js';
export { checkOcspResponse, buildOcspRequest, type OcspResult, type CertStatus } from './ocsp.js';
export { parseCrl, checkCrlFor, type ParsedCrl } from './crl.js';
export { authorityInfoAccess, crlDistributionPoints, extendedKeyUsage } from './extensions.js';
