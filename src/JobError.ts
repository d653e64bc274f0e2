/**
 * The errors a handler fails with, under their former module name.
 *
 * @since 0.1.0
 * @deprecated Import `HandlerError` (src/HandlerError.ts) instead; this module goes in the next release.
 */
export * from "./HandlerError.js"
