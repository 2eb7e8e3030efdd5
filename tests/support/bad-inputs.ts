import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { makeCsr } from "./keys";

const FIXTURES = resolve(__dirname, "..", "..", "..", "tests", "fixtures");
const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };

/** CSRs the corpus derives broken inputs from. */
export interface CorpusContext {
  good: string;
  wildCsr: string;
}

export async function corpusContext(): Promise<CorpusContext> {
  return {
    good: (await makeCsr("www.example.com", ["www.example.com"])).pem,
    wildCsr: (await makeCsr("*.example.com")).pem,
  };
}

/** A bad input, the property check() must name, and optionally what the reason must say. */
export type BadInput = [
  name: string,
  inputs: (c: CorpusContext) => Promise<Record<string, unknown>> | Record<string, unknown>,
  property: string,
  reason?: RegExp,
];

function tamper(pem: string): string {
  const body = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  const der = Buffer.from(body, "base64");
  der[der.length - 5] ^= 0xff; // inside the signature
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString("base64")}\n-----END CERTIFICATE REQUEST-----\n`;
}

export const BAD_INPUTS: BadInput[] = [
  ["neither csr nor domain", () => ({ ...contact }), "domain", /either domain .* or csr/],
  ["garbage PEM", () => ({ csr: "hello", ...contact }), "csr", /not a PEM certificate signing request/],
  ["empty csr", () => ({ csr: "", ...contact }), "csr"],
  [
    "base64 garbage inside PEM armour",
    () => ({
      csr: "-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----",
      ...contact,
    }),
    "csr",
    /base64/,
  ],
  [
    "valid base64 but not DER",
    () => ({
      csr: "-----BEGIN CERTIFICATE REQUEST-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE REQUEST-----",
      ...contact,
    }),
    "csr",
    /DER structure/,
  ],
  [
    "a certificate instead of a CSR",
    () => ({ csr: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", ...contact }),
    "csr",
    /certificate, not a certificate signing request/,
  ],
  [
    "a private key pasted in",
    () => ({ csr: "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----", ...contact }),
    "csr",
    /private key/,
  ],
  [
    "RSA 1024",
    async () => ({
      csr: (await makeCsr("www.example.com", [], { kind: "RSA", bits: 1024 })).pem,
      ...contact,
    }),
    "csr",
    /1024 bits is too small/,
  ],
  [
    "DSA key",
    () => ({ csr: readFileSync(resolve(FIXTURES, "dsa.csr.pem"), "utf8"), ...contact }),
    "csr",
    /unsupported key type|cannot be parsed/,
  ],
  [
    "secp256k1 key",
    () => ({ csr: readFileSync(resolve(FIXTURES, "secp256k1.csr.pem"), "utf8"), ...contact }),
    "csr",
  ],
  ["bad signature", (c) => ({ csr: tamper(c.good), ...contact }), "csr", /signature does not verify/],
  [
    "missing CN",
    async () => ({ csr: (await makeCsr(null, ["www.example.com"])).pem, ...contact }),
    "csr",
    /no CN/,
  ],
  [
    "CN/domain mismatch",
    (c) => ({ csr: c.good, domain: "api.example.com", ...contact }),
    "domain",
    /not api\.example\.com/,
  ],
  [
    "wildcard CSR with a single-domain product",
    (c) => ({ csr: c.wildCsr, ...contact }),
    "productCode",
    /single-domain product/,
  ],
  [
    "wildcard domain with a single-domain product",
    () => ({ domain: "*.example.com", ...contact }),
    "productCode",
    /wildcard/,
  ],
  [
    "single domain with a wildcard product",
    () => ({ domain: "www.example.com", productCode: "geotrust-dv-w-starter", ...contact }),
    "productCode",
    /wildcard product/,
  ],
  [
    "unknown product code",
    () => ({ domain: "www.example.com", productCode: "letsencrypt-free", ...contact }),
    "productCode",
    /unknown product code/,
  ],
  [
    "EMAIL validation",
    () => ({ domain: "www.example.com", validateType: "EMAIL", ...contact }),
    "validateType",
    /DNS or FILE/,
  ],
  ["lower-case dns", () => ({ domain: "www.example.com", validateType: "dns", ...contact }), "validateType"],
  ["bad email", () => ({ domain: "www.example.com", ...contact, email: "ops@" }), "email", /email address/],
  ["email with spaces", () => ({ domain: "www.example.com", ...contact, email: "a b@example.com" }), "email"],
  [
    "email injection",
    () => ({ domain: "www.example.com", ...contact, email: "a@example.com\r\nBcc: x@evil.com" }),
    "email",
  ],
  ["bad phone", () => ({ domain: "www.example.com", ...contact, phone: "call me" }), "phone", /phone number/],
  ["too short phone", () => ({ domain: "www.example.com", ...contact, phone: "12" }), "phone"],
  [
    "missing username (DV)",
    () => ({ domain: "www.example.com", phone: contact.phone, email: contact.email }),
    "username",
    /needs the contact's username/,
  ],
  ["missing phone (DV)", () => ({ domain: "www.example.com", username: "u", email: contact.email }), "phone"],
  ["missing email (DV)", () => ({ domain: "www.example.com", username: "u", phone: contact.phone }), "email"],
  ["domain as a number", () => ({ domain: 42, ...contact }), "domain"],
  ["csr as an object", () => ({ csr: { pem: "x" }, ...contact }), "csr"],
  ["tags not strings", () => ({ domain: "www.example.com", ...contact, tags: { env: 1 } }), "tags"],
  ["tags as a list", () => ({ domain: "www.example.com", ...contact, tags: ["a"] }), "tags"],
  [
    "unknown property",
    () => ({ domain: "www.example.com", ...contact, domian: "typo.example.com" }),
    "domian",
    /unknown property/,
  ],
  [
    "domain with a space",
    () => ({ domain: "www example.com", ...contact }),
    "domain",
    /not a valid host name/,
  ],
  ["domain with a URL scheme", () => ({ domain: "https://www.example.com", ...contact }), "domain"],
  ["domain with a path", () => ({ domain: "www.example.com/path", ...contact }), "domain"],
  ["IP address", () => ({ domain: "192.168.1.1", ...contact }), "domain"],
  ["unicode look-alike (Cyrillic а)", () => ({ domain: "www.exаmple.com", ...contact }), "domain"],
  [
    "double wildcard",
    () => ({ domain: "*.*.example.com", productCode: "geotrust-dv-w-starter", ...contact }),
    "domain",
  ],
  ["label over 63 characters", () => ({ domain: `${"a".repeat(64)}.example.com`, ...contact }), "domain"],
  ["oversized domain", () => ({ domain: `${"a.".repeat(200)}com`, ...contact }), "domain"],
  ["oversized CSR", () => ({ csr: "A".repeat(20_000), ...contact }), "csr", /16 KiB/],
  ["SQL-looking domain", () => ({ domain: "www.example.com'; DROP TABLE orders;--", ...contact }), "domain"],
  [
    "shell-looking username",
    () => ({ domain: "www.example.com", ...contact, username: "$(rm -rf /)".repeat(10) }),
    "username",
  ],
  [
    "bad onDelete",
    () => ({ domain: "www.example.com", ...contact, onDelete: "destroy" }),
    "onDelete",
    /cancel, revoke or retain/,
  ],
  [
    "renewBeforeDays zero",
    () => ({ domain: "www.example.com", ...contact, renewBeforeDays: 0 }),
    "renewBeforeDays",
  ],
  [
    "renewBeforeDays fraction",
    () => ({ domain: "www.example.com", ...contact, renewBeforeDays: 1.5 }),
    "renewBeforeDays",
  ],
  [
    "adoptOrderId not numeric",
    () => ({ domain: "www.example.com", ...contact, adoptOrderId: "12ab" }),
    "adoptOrderId",
  ],
  ["bad quotaCheck", () => ({ domain: "www.example.com", ...contact, quotaCheck: "strict" }), "quotaCheck"],
  ["empty domain", () => ({ domain: "", ...contact }), "domain"],
  ["a lone dot", () => ({ domain: ".", ...contact }), "domain"],
  ["label ending in a hyphen", () => ({ domain: "www-.example.com", ...contact }), "domain"],
  ["underscore label", () => ({ domain: "_x.example.com", ...contact }), "domain"],
  ["NUL byte in domain", () => ({ domain: "www.example.com\u0000", ...contact }), "domain"],
  ["header injection in domain", () => ({ domain: "www.example.com\r\nX-Evil: 1", ...contact }), "domain"],
  ["leading dot", () => ({ domain: ".example.com", ...contact }), "domain"],
  ["numeric top-level label", () => ({ domain: "www.example.123", ...contact }), "domain"],
  ["full-width dots", () => ({ domain: "www．example．com", ...contact }), "domain"],
  ["zero-width joiner", () => ({ domain: "www.exa\u200dmple.com", ...contact }), "domain"],
  [
    "product code with spaces",
    () => ({ domain: "www.example.com", productCode: " digicert-free-1-free", ...contact }),
    "productCode",
  ],
  [
    "validateType as a list",
    () => ({ domain: "www.example.com", validateType: ["DNS"], ...contact }),
    "validateType",
  ],
  [
    "oversized tag key",
    () => ({ domain: "www.example.com", ...contact, tags: { ["k".repeat(200)]: "v" } }),
    "tags",
  ],
  ["empty username", () => ({ domain: "www.example.com", ...contact, username: "" }), "username"],
  ["phone with letters", () => ({ domain: "www.example.com", ...contact, phone: "1380000abcd" }), "phone"],
  [
    "oversized email",
    () => ({ domain: "www.example.com", ...contact, email: `${"a".repeat(300)}@example.com` }),
    "email",
  ],
  [
    "renewBeforeDays as text",
    () => ({ domain: "www.example.com", ...contact, renewBeforeDays: "30" }),
    "renewBeforeDays",
  ],
  [
    "adoptOrderId as a number",
    () => ({ domain: "www.example.com", ...contact, adoptOrderId: 12000001 }),
    "adoptOrderId",
  ],
];
