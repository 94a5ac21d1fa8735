import type { RsbuildPlugin } from '@rsbuild/core';

/** Precompresses the build output (brotli and gzip) once the build is written. */
export function pluginPrecompress(): RsbuildPlugin;
