import { createSocket } from "node:dgram";

/** A tiny authoritative DNS server on loopback UDP port 0: answers TXT and CNAME from a table, NXDOMAIN otherwise. */
export async function dnsServer(
  records: Array<{ name: string; type: "TXT" | "CNAME"; value: string }>,
): Promise<{ address: string; close(): void }> {
  const socket = createSocket("udp4");
  const encodeName = (name: string) =>
    Buffer.concat([
      ...name.split(".").map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
      Buffer.from([0]),
    ]);
  socket.on("message", (msg, rinfo) => {
    let off = 12;
    const labels: string[] = [];
    while (msg[off]! > 0) {
      labels.push(msg.subarray(off + 1, off + 1 + msg[off]!).toString());
      off += msg[off]! + 1;
    }
    const question = msg.subarray(12, off + 5);
    const qtype = msg.readUInt16BE(off + 1);
    const name = labels.join(".").toLowerCase();
    const matches = records.filter((r) => r.name === name && (r.type === "TXT" ? qtype === 16 : qtype === 5));
    const known = records.some((r) => r.name === name);
    const answers = matches.map((r) => {
      const rdata =
        r.type === "TXT"
          ? Buffer.concat([Buffer.from([r.value.length]), Buffer.from(r.value)])
          : encodeName(r.value);
      const head = Buffer.alloc(10);
      head.writeUInt16BE(r.type === "TXT" ? 16 : 5, 0);
      head.writeUInt16BE(1, 2);
      head.writeUInt32BE(60, 4);
      head.writeUInt16BE(rdata.length, 8);
      return Buffer.concat([Buffer.from([0xc0, 0x0c]), head, rdata]);
    });
    const header = Buffer.alloc(12);
    header.writeUInt16BE(msg.readUInt16BE(0), 0);
    header.writeUInt16BE(0x8400 | (known ? 0 : 3), 2); // response, authoritative, NOERROR/NXDOMAIN
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    socket.send(Buffer.concat([header, question, ...answers]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", r));
  return { address: `127.0.0.1:${socket.address().port}`, close: () => socket.close() };
}
