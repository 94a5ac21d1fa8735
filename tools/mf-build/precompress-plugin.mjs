import { precompressFolder } from './precompress.mjs';

/**
 * Precompresses the build output (brotli and gzip, see precompress.mjs) once the build is written,
 * so the app's origin serves the copies and never compresses per request. Builds only: the dev
 * server's files change on every save.
 *
 * @returns {import('@rsbuild/core').RsbuildPlugin}
 */
export function pluginPrecompress() {
  return {
    name: 'parley:precompress',
    setup(api) {
      api.onAfterBuild(async () => {
        const summary = await precompressFolder(api.context.distPath);
        api.logger.info(`precompressed ${summary.files} files: ${summary.bytes} bytes → br ${summary.br}, gzip ${summary.gzip}`);
      });
    },
  };
}
