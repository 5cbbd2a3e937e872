import { defineConfig } from 'vitest/config'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { writeFileSync } from 'node:fs'

// The UI is served by the Go binary (frontend/embed.go embeds dist/). During
// `npm run dev`, API calls go to a server on :8080.
export default defineConfig(({ mode }) => ({
  plugins: [
    svelte(),
    {
      // dist/ is emptied on every build; put back the .gitkeep a fresh clone has.
      name: 'keep-gitkeep',
      closeBundle() {
        writeFileSync(new URL('./dist/.gitkeep', import.meta.url), '')
      },
    },
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    manifest: true, // read by scripts/budget.mjs, which then removes it
    chunkSizeWarningLimit: 900,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/login': 'http://127.0.0.1:8080',
      '/logout': 'http://127.0.0.1:8080',
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
  },
  // Svelte's browser build in unit tests (mount needs it).
  resolve: mode === 'test' ? { conditions: ['browser'] } : undefined,
}))
