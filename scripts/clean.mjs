// Empties dist/ before a build, so a package never ships files left over from an earlier layout.
import { rmSync } from "node:fs"

rmSync("dist", { recursive: true, force: true })
