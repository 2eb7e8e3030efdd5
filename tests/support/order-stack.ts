import { CertificateOrder } from "pulumi-alicloud-cas";
import type { EmulatorProcess } from "./emulator-process";
import { emulatorStack, type EngineStack } from "./engine";

/**
 * A stack `name` of one CertificateOrder `www` for www.example.com against `emu`, exporting its
 * `orderId`; the test changes the order's `team` tag through `program` (an `up` that updates it).
 */
export function oneOrderStack(
  name: string,
  emu: EmulatorProcess,
  program: { team: string },
): Promise<EngineStack> {
  return emulatorStack(
    name,
    async () => {
      const order = new CertificateOrder("www", {
        domain: "www.example.com",
        username: "u",
        phone: "13800001111",
        email: "a@example.com",
        tags: { team: program.team },
      });
      return { orderId: order.orderId };
    },
    emu,
  );
}
