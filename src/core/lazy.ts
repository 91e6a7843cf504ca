/**
 * A module loaded on first use and kept: `import()` of a loaded module still costs a resolution, and in a document
 * worker (whose loader hook runs on its own thread, isolation/worker.ts) a round trip per call — per document.
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}
