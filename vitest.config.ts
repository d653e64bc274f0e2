import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  resolve: {
    alias: [
      { find: /^effect-jobs$/, replacement: here("./index.ts") },
      { find: /^effect-jobs\/redis$/, replacement: here("./drivers/redis/index.ts") },
      { find: /^effect-jobs\/postgres$/, replacement: here("./drivers/postgres/index.ts") }
    ]
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
