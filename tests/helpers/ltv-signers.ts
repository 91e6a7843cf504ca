/** The signers of the loopback LTV PKI (tests/fixtures/pki/make-tsa-pki.sh), in the order their token holds them. */
export const LTV_SIGNERS = ['good', 'revoked', 'crlrevoked', 'expired', 'notyet', 'noku', 'nourls'] as const;
export type LtvSigner = (typeof LTV_SIGNERS)[number];
