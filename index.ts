/**
 * The `effect-jobs` entry point: the core and the embedded memory driver.
 *
 * @since 0.1.0
 */
export * from "./src/index.js"
export { makeMemoryDriver, memoryDriver } from "./drivers/memory/index.js"
