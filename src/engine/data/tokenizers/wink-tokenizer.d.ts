// Types for the parts of wink-tokenizer (MIT, no bundled types) that Inkling uses.
declare module 'wink-tokenizer' {
  interface WinkToken {
    value: string;
    tag: string;
  }
  interface WinkTokenizer {
    tokenize(sentence: string): WinkToken[];
    defineConfig(config: Record<string, boolean>): number;
  }
  function winkTokenizer(): WinkTokenizer;
  export default winkTokenizer;
}
