// The repository resolves modules the classic Node way, which ignores package "exports", so the
// Node entry of h5wasm is declared here with the types of its main entry (they are the same API).
declare module 'h5wasm/node' {
  export * from 'h5wasm';
  export { default } from 'h5wasm';
}
