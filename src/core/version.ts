/** The product version, kept in one place (package.json is not importable from dist without JSON modules). */
export const KYSO_VERSION = '0.1.0';
