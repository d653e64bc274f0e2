/**
 * A TCP proxy in front of a real server, so a test can cut every connection and refuse new ones (an outage)
 * and then let them through again (the server is back), or lose one reply on the way back, without touching
 * the server other tests share.
 */
import { createServer, type Server, type Socket, connect } from "node:net"

export interface DropReplyOptions {
  /** Also refuse new connections from then on (until `restore`), so a client's re-send fails too. */
  readonly thenRefuse?: boolean
}

export interface Proxy {
  readonly port: number
  /** Drops every connection and refuses new ones. */
  readonly cut: () => Promise<void>
  /** Accepts connections again on the same port. */
  readonly restore: () => Promise<void>
  /**
   * Loses a reply: the next request whose bytes contain `marker` is forwarded, the server's answer to it is
   * dropped, and that connection is cut the moment the answer arrives (the server did the work; the client
   * never hears of it). Resolves once the reply has been dropped.
   */
  readonly dropReplyTo: (marker: string, options?: DropReplyOptions) => Promise<void>
  readonly close: () => Promise<void>
}

interface Armed {
  readonly marker: Buffer
  readonly options: DropReplyOptions
  readonly dropped: () => void
}

export const startProxy = async (targetHost: string, targetPort: number): Promise<Proxy> => {
  const sockets = new Set<Socket>()
  let port = 0
  let server: Server | undefined
  let armed: Armed | undefined

  const cut = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      if (server === undefined) return resolve()
      server.close(() => resolve())
      server = undefined
    })

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const created = createServer((client) => {
        const upstream = connect(targetPort, targetHost)
        for (const socket of [client, upstream]) {
          sockets.add(socket)
          socket.on("close", () => sockets.delete(socket))
          socket.on("error", () => socket.destroy())
        }
        // The request whose reply this connection is to lose, once it went through.
        let dropping: Armed | undefined
        client.on("data", (chunk: Buffer) => {
          if (armed !== undefined && dropping === undefined && chunk.includes(armed.marker)) {
            dropping = armed
            armed = undefined
          }
          upstream.write(chunk)
        })
        upstream.on("data", (chunk: Buffer) => {
          if (dropping === undefined) {
            client.write(chunk)
            return
          }
          const { dropped, options } = dropping
          client.destroy()
          upstream.destroy()
          if (options.thenRefuse === true) void cut().then(dropped)
          else dropped()
        })
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

  const dropReplyTo = (marker: string, options: DropReplyOptions = {}) =>
    new Promise<void>((resolve) => {
      armed = { marker: Buffer.from(marker), options, dropped: resolve }
    })

  await listen()
  return { port, cut, restore: listen, dropReplyTo, close: cut }
}
