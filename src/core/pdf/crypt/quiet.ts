/**
 * @libpdf/core decrypts every string of an encrypted file's objects, the clear /Contents of signature
 * dictionaries included (ISO 32000 §7.6.2 exempts them). With AES that fails, and the library prints a warning
 * with a stack trace to the console before keeping the string as it is (which is what we want). Reads that
 * resolve signature dictionaries of an encrypted file run through this, so users' terminals stay clean.
 * Synchronous only: the console is restored before anything else can run.
 */
export function withoutLibraryWarnings<T>(encrypted: boolean, read: () => T): T {
  if (!encrypted) return read();
  const warn = console.warn;
  console.warn = (): void => undefined;
  try { return read(); } finally { console.warn = warn; }
}
