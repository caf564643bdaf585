import { expect } from "vitest";
import { EscapeCase, expectInvalidParams, python, refusedSession } from "../context";

export const networkCases: EscapeCase[] = [
  {
    name: "reaches no server on this machine, by any of its addresses or by loopback",
    async attempt(context) {
      const { port, addresses } = context.server;
      const code = `import socket
for address in ${JSON.stringify([...addresses, "127.0.0.1"])}:
    try:
        socket.create_connection((address, ${port}), timeout=2).recv(100)
        print(address, "CONNECTED")
    except OSError as error:
        print(address, "refused")`;
      const answer = await python(context, code, { timeoutMs: 30_000 });
      expect(answer.stdout).not.toMatch(/CONNECTED/);
      expect(answer.stdout.trim().split("\n")).toHaveLength(addresses.length + 1);
    },
  },
  {
    name: "resolves no name and sends no datagram (no DNS, no route)",
    async attempt(context) {
      const code = `import socket
try:
    print(socket.getaddrinfo("example.com", 443))
except OSError as error:
    print("no DNS")
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("8.8.8.8", 53))
    print("SENT")
except OSError as error:
    print("no route")`;
      expect((await python(context, code)).stdout).toBe("no DNS\nno route\n");
    },
  },
  {
    name: "has no network interface but loopback",
    async attempt(context) {
      const answer = await python(context, "import socket\nprint(sorted(name for _, name in socket.if_nameindex()))");
      expect(answer.stdout).toBe("['lo']\n");
    },
  },
  {
    name: "cannot open raw or packet sockets",
    async attempt(context) {
      const code = `import socket
for family, kind, proto in [(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP), (socket.AF_PACKET, socket.SOCK_RAW, 0)]:
    try:
        socket.socket(family, kind, proto)
        print("OPENED")
    except OSError as error:
        print("refused")`;
      expect((await python(context, code)).stdout).toBe("refused\nrefused\n");
    },
  },
  {
    name: "process isolation refuses networkEnabled: this machine's network would reach its loopback and the host's API",
    kinds: ["process"],
    async attempt(context) {
      const error = await refusedSession(context, { language: "python", isolation: "process", networkEnabled: true });
      expectInvalidParams(error, /networkEnabled: process isolation/);
      expect(error.message).toMatch(/use isolation docker/);
      expect(error.data).toMatchObject({ field: "networkEnabled", isolation: "process" });
    },
  },
];
