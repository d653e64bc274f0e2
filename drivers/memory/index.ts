/**
 * The in-memory driver.
 *
 * @since 0.1.0
 */
export {
  /**
   * The in-memory driver layer: `JobQueue.layer(memoryDriver)`.
   *
   * @since 0.1.0
   */
  layer as memoryDriver,
  /**
   * Builds an in-memory driver value (for composing your own layer).
   *
   * @since 0.1.0
   */
  make as makeMemoryDriver
} from "./MemoryDriver.js"
