/**
 * A TCP proxy in front of Postgres that records what clients send: each connection's startup parameters,
 * the statements it prepares (with their names) and the simple queries it runs. Tests read it to see how
 * the driver talks to the server, as a pooler between them would see it.
 */
import { Effect, type Scope } from "effect"
import { connect, createServer, type Socket } from "node:net"

/** What one client connection sent. */
export interface RecordedConnection {
  readonly parameters: Record<string, string>
  /** Extended-protocol Parse messages: the statement name ("" for unnamed) and its text. */
  readonly parses: Array<{ readonly name: string; readonly text: string }>
  /** Simple-protocol Query messages. */
  readonly queries: Array<string>
}

export interface Recorder {
  readonly port: number
  readonly connections: ReadonlyArray<RecordedConnection>
  /** Every statement text sent on any connection, prepared or simple. */
  readonly texts: () => ReadonlyArray<string>
}

const sslRequestCode = 80877103

const cstrings = (body: Buffer): Array<string> => body.toString("utf8").split("\u0000")

/** Splits the client's byte stream into messages and records the ones that matter here. */
const recordStream = (recorded: RecordedConnection) => {
  let buffered = Buffer.alloc(0)
  let started = false
  return (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk])
    for (;;) {
      if (!started) {
        if (buffered.length < 8) return
        const length = buffered.readInt32BE(0)
        if (buffered.length < length) return
        const code = buffered.readInt32BE(4)
        if (code !== sslRequestCode) {
          const fields = cstrings(buffered.subarray(8, length))
          for (let index = 0; index + 1 < fields.length && fields[index] !== ""; index += 2) {
            recorded.parameters[fields[index]!] = fields[index + 1]!
          }
          started = true
        }
        buffered = buffered.subarray(length)
        continue
      }
      if (buffered.length < 5) return
      const length = buffered.readInt32BE(1)
      if (buffered.length < length + 1) return
      const type = String.fromCharCode(buffered[0]!)
      const body = buffered.subarray(5, length + 1)
      if (type === "P") {
        const [name, text] = cstrings(body)
        recorded.parses.push({ name: name!, text: text! })
      } else if (type === "Q") {
        recorded.queries.push(cstrings(body)[0]!)
      }
      buffered = buffered.subarray(length + 1)
    }
  }
}

/** Starts a recording proxy to `host:port` for the current scope. */
export const startRecorder = (host: string, port: number): Effect.Effect<Recorder, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<Recorder & { readonly close: () => Promise<void> }>((resolve) => {
        const connections: Array<RecordedConnection> = []
        const sockets = new Set<Socket>()
        const server = createServer((client) => {
          const recorded: RecordedConnection = { parameters: {}, parses: [], queries: [] }
          connections.push(recorded)
          const upstream = connect(port, host)
          const record = recordStream(recorded)
          for (const socket of [client, upstream]) {
            sockets.add(socket)
            socket.on("close", () => sockets.delete(socket))
            socket.on("error", () => socket.destroy())
          }
          client.on("data", (chunk: Buffer) => {
            record(chunk)
            upstream.write(chunk)
          })
          upstream.pipe(client)
          client.on("close", () => upstream.destroy())
          upstream.on("close", () => client.destroy())
        })
        server.listen(0, "127.0.0.1", () => {
          const address = server.address()
          resolve({
            port: typeof address === "object" && address !== null ? address.port : 0,
            connections,
            texts: () => connections.flatMap((connection) => [...connection.parses.map((parse) => parse.text), ...connection.queries]),
            close: () =>
              new Promise<void>((closed) => {
                for (const socket of sockets) socket.destroy()
                server.close(() => closed())
              })
          })
        })
      })
    ),
    (recorder) => Effect.promise(() => recorder.close())
  )
