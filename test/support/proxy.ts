/**
 * A TCP proxy in front of a real server, so a test can cut every connection and refuse new ones (an outage)
 * and then let them through again (the server is back), without touching the server other tests share.
 */
import { createServer, type Server, type Socket, connect } from "node:net"

export interface Proxy {
  readonly port: number
  /** Drops every connection and refuses new ones. */
  readonly cut: () => Promise<void>
  /** Accepts connections again on the same port. */
  readonly restore: () => Promise<void>
  readonly close: () => Promise<void>
}

export const startProxy = async (targetHost: string, targetPort: number): Promise<Proxy> => {
  const sockets = new Set<Socket>()
  let port = 0
  let server: Server | undefined

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const created = createServer((client) => {
        const upstream = connect(targetPort, targetHost)
        for (const socket of [client, upstream]) {
          sockets.add(socket)
          socket.on("close", () => sockets.delete(socket))
          socket.on("error", () => socket.destroy())
        }
        client.pipe(upstream).pipe(client)
        client.on("close", () => upstream.destroy())
        upstream.on("close", () => client.destroy())
      })
      created.once("error", reject)
      created.listen(port, "127.0.0.1", () => {
        const address = created.address()
        port = typeof address === "object" && address !== null ? address.port : port
        server = created
        resolve()
      })
    })

  const cut = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      if (server === undefined) return resolve()
      server.close(() => resolve())
      server = undefined
    })

  await listen()
  return { port, cut, restore: listen, close: cut }
}
