// The 2025.1 (Epoxy) option catalog as a module, so both tsc and esbuild ship the JSON with the code.
// options.ts requires this lazily: the data is large and most sessions never need it.
import data from './oslo-2025.1.json';

export default data;
