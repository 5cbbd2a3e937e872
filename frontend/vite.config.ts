import { defineConfig } from 'vitest/config'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { resolve, sep } from 'node:path'

// The UI is served by the Go binary (frontend/embed.go embeds dist/). During
// `npm run dev`, API calls go to a server on :8080.
export default defineConfig(({ mode }) => ({
  plugins: [
    svelte(),
    (() => {
      // frontend/dist always keeps the .gitkeep a fresh clone has, so
      // `go build` (which embeds it) works even while or after a UI build
      // fails: old files are removed one by one instead of emptying the
      // folder. A build into another --outDir leaves frontend/dist alone.
      const dist = fileURLToPath(new URL('./dist/', import.meta.url))
      let outDir = ''
      return {
        name: 'keep-gitkeep',
        apply: 'build' as const,
        configResolved(c: { root: string; build: { outDir: string } }) {
          outDir = resolve(c.root, c.build.outDir) + sep
        },
        buildStart() {
          if (outDir !== dist) return
          mkdirSync(dist, { recursive: true })
          writeFileSync(dist + '.gitkeep', '')
          for (const name of readdirSync(dist)) {
            if (name !== '.gitkeep') rmSync(dist + name, { recursive: true, force: true })
          }
        },
      }
    })(),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: false, // see keep-gitkeep
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
