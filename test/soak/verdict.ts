/**
 * What a soak run must show; the full run and the short test judge by the same rules.
 */
import type { SoakReport } from "./soak.js"

/** Every broken promise in `report`, as a sentence; empty when the run is clean. */
export const problems = (report: SoakReport): ReadonlyArray<string> => [
  ...(report.lost === 0 ? [] : [`${report.lost} job(s) lost, e.g. ${report.lostExamples.join(", ")}`]),
  ...(report.duplicates.afterSigterm === 0
    ? []
    : [`${report.duplicates.afterSigterm} job(s) ran again after SIGTERM, e.g. ${report.duplicateExamples.afterSigterm.map((job) => job.id).join(", ")}`]),
  ...(report.duplicates.other === 0
    ? []
    : [`${report.duplicates.other} finished job(s) ran again, e.g. ${report.duplicateExamples.other.map((job) => job.id).join(", ")}`]),
  ...(report.leftLeasedBySigterm === 0 ? [] : [`${report.leftLeasedBySigterm} job(s) left leased after SIGTERM`]),
  ...(report.unrecovered.length === 0 ? [] : [`killed workers' jobs never ran again: ${report.unrecovered.join(", ")}`]),
  ...(report.worstRecoveryMs === null || report.worstRecoveryMs <= report.recoveryLimitMs
    ? []
    : [`a killed worker's job ran again only after ${report.worstRecoveryMs} ms (limit ${report.recoveryLimitMs} ms)`]),
  ...(report.sigtermExitCodes.every((code) => code === 0)
    ? []
    : [`a worker sent SIGTERM exited with ${report.sigtermExitCodes.join(", ")}`])
]
