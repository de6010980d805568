// Stands in for @bytecodealliance/jco in the browser page: `parse` (text → component or core
// module binary) is done by the Node side, exposed to the page as `weftAssemble` (base64 back).

declare global {
  var weftAssemble: (text: string) => Promise<string>;
}

function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export async function parse(text: string): Promise<Uint8Array> {
  return fromBase64(await globalThis.weftAssemble(text));
}
