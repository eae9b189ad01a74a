// The part of WebAssembly the decoy scanner and the map walker's string loop use. This
// project's TypeScript libraries (ES2023, node) do not declare WebAssembly, and a process
// started with `node --jitless` has none: callers check for undefined.

export interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}

export const WebAssembly: WebAssemblyApi | undefined = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;

/** A compiled module from its base64 text (the form the generated files hold). */
export function moduleFromBase64(api: WebAssemblyApi, base64: string): object {
  return new api.Module(Buffer.from(base64, 'base64'));
}
