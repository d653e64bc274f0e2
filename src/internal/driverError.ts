/**
 * The `DriverError` of a failed storage operation, built the same way by every driver.
 */
import { DriverError } from "../QueueErrors.js"
import { redactError, redactText } from "./redact.js"

/**
 * `driver`'s `operation` failed with `cause` (what the client library raised): the error's message is the
 * cause's, after `context` when given ("Redis is not reachable at …"), and the cause is kept as
 * `redactError` makes it, so codes such as a Postgres SQLSTATE survive. Credentials are masked in both.
 */
export const driverError = (driver: string, operation: string, cause: unknown, context?: string): DriverError => {
  const reason = redactText(cause instanceof Error ? cause.message : String(cause))
  return new DriverError({
    driver,
    operation,
    message: context === undefined ? reason : `${context}: ${reason}`,
    cause: redactError(cause)
  })
}
