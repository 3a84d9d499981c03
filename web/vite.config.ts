import { defineConfig } from "vitest/config";

// React is compiled by the bundler's own JSX transform (tsconfig "jsx": "react-jsx"),
// so no framework plugin is needed.
export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  server: { host: "127.0.0.1" },
  test: { include: ["src/**/*.test.ts"], environment: "node" },
});
