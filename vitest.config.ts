import { fileURLToPath } from "node:url"
import { configDefaults, defineConfig } from "vitest/config"

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  resolve: {
    alias: [
      { find: /^effect-jobs$/, replacement: here("./index.ts") },
      { find: /^effect-jobs\/redis$/, replacement: here("./drivers/redis/index.ts") },
      { find: /^effect-jobs\/postgres$/, replacement: here("./drivers/postgres/index.ts") },
      { find: /^effect-jobs\/driver$/, replacement: here("./src/driver/index.ts") },
      { find: /^effect-jobs\/testing$/, replacement: here("./src/testing/index.ts") }
    ]
  },
  test: {
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    // The packed package's consumer runs its own tests against the tarball (test/package/pack.test.ts).
    exclude: [...configDefaults.exclude, "test/package/consumer/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
