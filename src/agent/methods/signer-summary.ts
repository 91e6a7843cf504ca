/** A verified signer as the protocol reports it (pdf.verify and docx.verify), from core's verification reports. */
import type { SubjectFields } from '../../core/cert/parse.js';
import type * as z from 'zod';
import type { verifiedSignerSchema } from '../protocol.js';

type ReportedSigner = SubjectFields & { serialNumber: string; issuer: SubjectFields; notBefore: Date; notAfter: Date };

export function signerSummary(s: ReportedSigner): z.infer<typeof verifiedSignerSchema> {
  return {
    ...(s.commonName ? { commonName: s.commonName } : {}),
    ...(s.organization ? { organization: s.organization } : {}),
    ...(s.organizationalUnit ? { organizationalUnit: s.organizationalUnit } : {}),
    ...(s.title ? { title: s.title } : {}),
    identifiers: { ...s.identifiers },
    ...(s.issuer.commonName ? { issuer: s.issuer.commonName } : {}),
    serialNumber: s.serialNumber,
    notBefore: s.notBefore.toISOString(),
    notAfter: s.notAfter.toISOString(),
  };
}
