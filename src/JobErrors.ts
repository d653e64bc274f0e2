/**
 * The queue's and the drivers' errors, under their former module name.
 *
 * @since 0.1.0
 * @deprecated Import from `QueueErrors` (src/QueueErrors.ts) instead; this module goes in the next release.
 */
export * from "./QueueErrors.js"
