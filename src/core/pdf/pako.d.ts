// pako (@libpdf/core's inflater) ships no types: what decode-budget.ts reads and replaces of its module object.
declare module 'pako' {
  interface PakoInflate {
    onData(chunk: Uint8Array): void;
    push(data: Uint8Array, flush?: boolean | number): boolean;
    err: number;
    msg: string;
    result: Uint8Array | undefined;
  }
  const pako: {
    Inflate: new (options?: object) => PakoInflate;
    inflate(data: Uint8Array, options?: object): Uint8Array | undefined;
  };
  export default pako;
}
