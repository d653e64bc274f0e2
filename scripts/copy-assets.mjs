// Copies the drivers' Lua scripts and SQL files next to the compiled JavaScript, which loads them at runtime.
import { cpSync, existsSync } from "node:fs"

for (const dir of ["drivers/redis/scripts", "drivers/postgres/migrations", "drivers/postgres/sql"]) {
  if (existsSync(dir)) cpSync(dir, `dist/${dir}`, { recursive: true })
}
