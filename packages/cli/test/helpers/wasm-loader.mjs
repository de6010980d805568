// `node --import` this file to load `weft bundle` output as workerd and bundlers do (the CLI's
// own hooks: see src/bundle-hooks.ts).
import { registerBundleHooks } from '../../src/bundle-hooks.ts';

registerBundleHooks();
