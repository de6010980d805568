// The `workerd` npm package's entry (lib/main.js): the path of the platform's workerd binary.
declare module 'workerd' {
  const binary: string;
  export default binary;
  export const compatibilityDate: string;
  export const version: string;
}
