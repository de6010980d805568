// Stands in for node:fs/promises in the browser page: the page is given each file's text.

export async function readFile(path: string): Promise<never> {
  throw new Error(`no file system in the browser page (${path}): pass the text to runWast`);
}
