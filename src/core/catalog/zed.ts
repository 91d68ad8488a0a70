// The Zed option catalog as a module, so both tsc and esbuild ship the JSON with the code.
// options.ts requires this lazily: the data is large and most sessions never need it.
import data from './oslo-zed.json';

export default data;
