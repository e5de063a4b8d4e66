#!/usr/bin/env node
// The compiled CLI (built by `npm ci` through the `prepare` script, or `npm run build`).
import('../dist/main/cli.js').catch((error) => {
  if (
    error &&
    error.code === 'ERR_MODULE_NOT_FOUND' &&
    String(error.message).includes('dist/main/cli.js')
  ) {
    process.stderr.write('offboard: not built yet; run `npm run build` (npm ci does it for you)\n');
    process.exit(70);
  }
  throw error;
});
