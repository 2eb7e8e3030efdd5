import { webcrypto } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { makeCsr } from "./keys";

const FIXTURES = resolve(__dirname, "..", "..", "..", "tests", "fixtures");
const contact = { username: "Keller", phone: "13800001111", email: "ops@example.com" };

/** CSRs the corpus derives broken inputs from. */
export interface CorpusContext {
  good: string;
  wildCsr: string;
  /** A CSR whose SAN is longer than 253 characters. */
  longSan: string;
  /** An EC P-521 key (the API documents P-256 and P-384 only). */
  p521: string;
  /** A private key, as someone who read app.key instead of app.csr would pass it. */
  privateKey: string;
  /** A CSR whose subject has two CNs. */
  twoCns: string;
  /** A CSR with an IP, an e-mail and a URI subjectAltName besides its CN. */
  otherSans: string;
}

type Extras = Pick<CorpusContext, "longSan" | "p521" | "privateKey" | "twoCns" | "otherSans">;

/** The CSRs and keys added to the corpus later, made once per process. */
let extras: Promise<Extras> | undefined;
export function extraCsrs(): Promise<Extras> {
  extras ??= (async () => {
    const long = `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.example.com`;
    const { pem: longSan } = await makeCsr("www.example.com", ["www.example.com", long]);
    const { pem: p521 } = await makeCsr("www.example.com", [], { kind: "EC", curve: "P-521" });
    const { keys } = await makeCsr("www.example.com");
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey)).toString("base64");
    const privateKey = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join("\n")}\n-----END PRIVATE KEY-----\n`;
    const { pem: twoCns } = await makeCsr("a.example.com, CN=b.example.com");
    const { pem: otherSans } = await makeCsr("a.example.com", [
      { type: "ip", value: "10.0.0.1" },
      { type: "email", value: "x@example.net" },
      { type: "url", value: "https://example.net/" },
    ]);
    return { longSan, p521, privateKey, twoCns, otherSans };
  })();
  return extras;
}

export async function corpusContext(): Promise<CorpusContext> {
  return {
    good: (await makeCsr("www.example.com", ["www.example.com"])).pem,
    wildCsr: (await makeCsr("*.example.com")).pem,
    ...(await extraCsrs()),
  };
}

/** A bad input and every failure check() must return for it, in order: the property named and what the reason says. */
export type BadInput = [
  name: string,
  inputs: (c: CorpusContext) => Promise<Record<string, unknown>> | Record<string, unknown>,
  failures: Array<[property: string, reason: RegExp]>,
];

function tamper(pem: string): string {
  const body = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  const der = Buffer.from(body, "base64");
  const at = der.length - 5; // inside the signature
  der.writeUInt8(der.readUInt8(at) ^ 0xff, at);
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString("base64")}\n-----END CERTIFICATE REQUEST-----\n`;
}

export const BAD_INPUTS: BadInput[] = [
  ["neither csr nor domain", () => ({ ...contact }), [["domain", /set domain or domains .* or csr/]]],
  [
    "garbage PEM",
    () => ({ csr: "hello", ...contact }),
    [
      [
        "",
        /^csr: this is not a PEM certificate signing request .*pass the text of the certificate signing request file.*The value is not shown/,
      ],
    ],
  ],
  [
    "empty csr",
    () => ({ csr: "", ...contact }),
    [["csr", /^the value is empty; pass the text of the certificate signing request file/]],
  ],
  [
    "base64 garbage inside PEM armour",
    () => ({
      csr: "-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----",
      ...contact,
    }),
    [["", /^csr: the CSR's PEM body is not valid base64; pass the text/]],
  ],
  [
    "valid base64 but not DER",
    () => ({
      csr: "-----BEGIN CERTIFICATE REQUEST-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE REQUEST-----",
      ...contact,
    }),
    [["", /^csr: the CSR's DER structure cannot be parsed .*The value is not shown/]],
  ],
  [
    "a certificate instead of a CSR",
    () => ({ csr: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", ...contact }),
    [["", /^csr: this is a certificate, not a certificate signing request; pass the text/]],
  ],
  [
    "a private key pasted in",
    () => ({ csr: "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----", ...contact }),
    [["", /^csr: this contains a private key \(was the \.key file read ins/]],
  ],
  [
    // readFileSync("app.key") without "utf8": the engine passes a Buffer as {0: 45, 1: 45, …}.
    "a private key read as bytes into csr",
    (c) => ({ csr: { ...Buffer.from(c.privateKey) }, ...contact }),
    [["", /^csr: this contains a private key .*readFileSync\("app\.csr", "utf8"\).*The value is not shown$/]],
  ],
  [
    "a private key inside a list under csr",
    (c) => ({ csr: [c.privateKey], ...contact }),
    [["", /^csr: this contains a private key /]],
  ],
  [
    "a CSR inside a list",
    (c) => ({ csr: [c.good], ...contact }),
    [["", /^csr: must be the CSR as PEM text, e\.g\. readFileSync\("app\.csr", "utf8"\), not a Buffer/]],
  ],
  [
    "a private key pasted into domain",
    (c) => ({ domain: c.privateKey, ...contact }),
    [
      [
        "",
        /^domain: this contains a private key .*domain never takes one: remove it\. The value is not shown$/,
      ],
    ],
  ],
  [
    "a private key as a tag value",
    (c) => ({ domain: "www.example.com", ...contact, tags: { key: c.privateKey } }),
    [["", /^tags: this contains a private key .*tags never takes one/]],
  ],
  [
    "a CSR with two CNs",
    (c) => ({ csr: c.twoCns, ...contact }),
    [["csr", /^the CSR subject has 2 CNs; CAS binds one name per CSR: make the CSR with a single CN/]],
  ],
  [
    "a CSR with IP, e-mail and URI names",
    (c) => ({ csr: c.otherSans, ...contact }),
    [
      [
        "csr",
        /^the CSR's subjectAltName holds ip:10\.0\.0\.1, email:x@example\.net, url:https:\/\/example\.net\/; CAS binds only the CN.*DNS names only$/,
      ],
    ],
  ],
  [
    // "\u212Aeller" (Kelvin sign) was lower-cased into "keller.example.com", another name.
    "a Kelvin sign in domain",
    () => ({ domain: "\u212Aeller.example.com", ...contact }),
    [
      [
        "domain",
        /^"\u212Aeller\.example\.com" holds \u212A \(U\+212A\), not ASCII;.*punycode A-label \(xn--…\)$/,
      ],
    ],
  ],
  [
    "a dotted capital I in domains",
    () => ({ domains: ["a.example.com", "\u0130nfo.example.com"] }),
    [["domains", /^"\u0130nfo\.example\.com" holds \u0130 \(U\+0130\), not ASCII/]],
  ],
  [
    "a Kelvin sign in the CSR's CN",
    async () => ({ csr: (await makeCsr("\u212Aeller.example.com")).pem, ...contact }),
    [["csr", /^the CSR's CN "\u212Aeller\.example\.com" holds \u212A \(U\+212A\), not ASCII/]],
  ],
  [
    "a 20 KB tag value on a domains (ForPackage) order",
    () => ({ domains: ["t1.example.com", "t2.example.com"], tags: { k: "x".repeat(20_000) } }),
    [
      [
        "tags",
        /^the value of tag "k" is 20000 characters; CreateCertificateForPackageRequest allows at most 128$/,
      ],
    ],
  ],
  [
    "2,000 tags on a domains (ForPackage) order",
    () => ({
      domains: ["t1.example.com", "t2.example.com"],
      tags: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, `v${i}`])),
    }),
    [["tags", /^CreateCertificateForPackageRequest takes at most 20 tags; this order has 2000$/]],
  ],
  [
    "RSA 1024",
    async () => ({
      csr: (await makeCsr("www.example.com", [], { kind: "RSA", bits: 1024 })).pem,
      ...contact,
    }),
    [["csr", /1024 bits is too small/]],
  ],
  [
    "DSA key",
    () => ({ csr: readFileSync(resolve(FIXTURES, "dsa.csr.pem"), "utf8"), ...contact }),
    [["csr", /unsupported key type|cannot be parsed/]],
  ],
  [
    "secp256k1 key",
    () => ({ csr: readFileSync(resolve(FIXTURES, "secp256k1.csr.pem"), "utf8"), ...contact }),
    [["csr", /^EC curve K-256 is not supported \(CAS accepts P-256 or P-384\)/]],
  ],
  ["bad signature", (c) => ({ csr: tamper(c.good), ...contact }), [["csr", /signature does not verify/]]],
  [
    "missing CN",
    async () => ({ csr: (await makeCsr(null, ["www.example.com"])).pem, ...contact }),
    [["csr", /no CN/]],
  ],
  [
    "CN/domain mismatch",
    (c) => ({ csr: c.good, domain: "api.example.com", ...contact }),
    [["domain", /not api\.example\.com/]],
  ],
  [
    "wildcard CSR with a single-domain product",
    (c) => ({ csr: c.wildCsr, ...contact }),
    [["productCode", /single-domain product/]],
  ],
  [
    "wildcard domain with a single-domain product",
    () => ({ domain: "*.example.com", ...contact }),
    [["productCode", /wildcard/]],
  ],
  [
    "single domain with a wildcard product",
    () => ({ domain: "www.example.com", productCode: "geotrust-dv-w-starter", ...contact }),
    [["productCode", /wildcard product/]],
  ],
  [
    // An undocumented code of the right shape only warns (real programs use some); this is no code.
    "product code that is not one",
    () => ({ domain: "www.example.com", productCode: "Let's Encrypt", ...contact }),
    [["productCode", /^a product code such as digicert-free-1-free \(lowercase letters and digits/]],
  ],
  [
    "EMAIL validation",
    () => ({ domain: "www.example.com", validateType: "EMAIL", ...contact }),
    [["validateType", /DNS or FILE/]],
  ],
  [
    "lower-case dns",
    () => ({ domain: "www.example.com", validateType: "dns", ...contact }),
    [["validateType", /^use DNS or FILE \(CAS has no EMAIL validation\)/]],
  ],
  [
    "bad email",
    () => ({ domain: "www.example.com", ...contact, email: "ops@" }),
    [["email", /email address/]],
  ],
  [
    "email with spaces",
    () => ({ domain: "www.example.com", ...contact, email: "a b@example.com" }),
    [["email", /^an email address such as ops@example\.com/]],
  ],
  [
    "email injection",
    () => ({ domain: "www.example.com", ...contact, email: "a@example.com\r\nBcc: x@evil.com" }),
    [
      ["email", /^must not contain control characters \(NUL, CR\/LF, tabs, bidi /],
      ["email", /^an email address such as ops@example\.com/],
    ],
  ],
  [
    "bad phone",
    () => ({ domain: "www.example.com", ...contact, phone: "call me" }),
    [
      ["phone", /phone number/],
      ["phone", /^a phone number has 6 to 20 digits/],
    ],
  ],
  [
    "too short phone",
    () => ({ domain: "www.example.com", ...contact, phone: "12" }),
    [["phone", /^a phone number has 6 to 20 digits/]],
  ],
  [
    "missing username (DV)",
    () => ({ domain: "www.example.com", phone: contact.phone, email: contact.email }),
    [["username", /needs the contact's username/]],
  ],
  [
    "missing phone (DV)",
    () => ({ domain: "www.example.com", username: "u", email: contact.email }),
    [["phone", /^CreateCertificateRequest needs the contact's phone/]],
  ],
  [
    "missing email (DV)",
    () => ({ domain: "www.example.com", username: "u", phone: contact.phone }),
    [["email", /^CreateCertificateRequest needs the contact's email/]],
  ],
  [
    "domain as a number",
    () => ({ domain: 42, ...contact }),
    [["domain", /^Invalid input: expected string, received number/]],
  ],
  [
    "csr as an object",
    () => ({ csr: { pem: "x" }, ...contact }),
    // Not named: the engine would print the object, which may hold a key in a form not recognized.
    [
      [
        "",
        /^csr: must be the CSR as PEM text, e\.g\. readFileSync\("app\.csr", "utf8"\), not a Buffer, list or object$/,
      ],
    ],
  ],
  [
    "tags not strings",
    () => ({ domain: "www.example.com", ...contact, tags: { env: 1 } }),
    [["tags", /^Invalid input: expected string, received number/]],
  ],
  [
    "tags as a list",
    () => ({ domain: "www.example.com", ...contact, tags: ["a"] }),
    [["tags", /^Invalid input: expected record, received array/]],
  ],
  [
    "unknown property",
    () => ({ domain: "www.example.com", ...contact, domian: "typo.example.com" }),
    [["domian", /unknown property/]],
  ],
  [
    "domain with a space",
    () => ({ domain: "www example.com", ...contact }),
    [["domain", /not a valid host name/]],
  ],
  [
    "domain with a URL scheme",
    () => ({ domain: "https://www.example.com", ...contact }),
    [["domain", /^"https:\/\/www\.example\.com" is not a valid host name \(letters,/]],
  ],
  [
    "domain with a path",
    () => ({ domain: "www.example.com/path", ...contact }),
    [["domain", /^"www\.example\.com\/path" is not a valid host name \(letters, di/]],
  ],
  [
    "IP address",
    () => ({ domain: "192.168.1.1", ...contact }),
    [["domain", /^"192\.168\.1\.1" is not a valid host name \(letters, digits and /]],
  ],
  [
    "unicode look-alike (Cyrillic а)",
    () => ({ domain: "www.exаmple.com", ...contact }),
    [["domain", /^"www\.exаmple\.com" holds а \(U\+0430\), not ASCII; .*punycode A-label/]],
  ],
  [
    "double wildcard",
    () => ({ domain: "*.*.example.com", productCode: "geotrust-dv-w-starter", ...contact }),
    [["domain", /^"\*\.\*\.example\.com" is not a valid host name \(letters, digits /]],
  ],
  [
    "label over 63 characters",
    () => ({ domain: `${"a".repeat(64)}.example.com`, ...contact }),
    [["domain", /^"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/]],
  ],
  [
    "oversized domain",
    () => ({ domain: `${"a.".repeat(200)}com`, ...contact }),
    [["domain", /^at most 253 characters/]],
  ],
  ["oversized CSR", () => ({ csr: "A".repeat(20_000), ...contact }), [["", /^csr: .*16 KiB/]]],
  [
    "SQL-looking domain",
    () => ({ domain: "www.example.com'; DROP TABLE orders;--", ...contact }),
    [["domain", /^"www\.example\.com'; drop table orders;--" is not a valid host/]],
  ],
  [
    "shell-looking username",
    () => ({ domain: "www.example.com", ...contact, username: "$(rm -rf /)".repeat(10) }),
    [["username", /^at most 64 characters/]],
  ],
  [
    "bad onDelete",
    () => ({ domain: "www.example.com", ...contact, onDelete: "destroy" }),
    [["onDelete", /cancel, revoke or retain/]],
  ],
  [
    "renewBeforeDays zero",
    () => ({ domain: "www.example.com", ...contact, renewBeforeDays: 0 }),
    [["renewBeforeDays", /^at least 1 day/]],
  ],
  [
    "renewBeforeDays fraction",
    () => ({ domain: "www.example.com", ...contact, renewBeforeDays: 1.5 }),
    [["renewBeforeDays", /^a whole number of days/]],
  ],
  [
    "adoptOrderId not numeric",
    () => ({ domain: "www.example.com", ...contact, adoptOrderId: "12ab" }),
    [["adoptOrderId", /^a decimal OrderId/]],
  ],
  [
    "bad quotaCheck",
    () => ({ domain: "www.example.com", ...contact, quotaCheck: "strict" }),
    [["quotaCheck", /^use warn, fail or off/]],
  ],
  ["empty domain", () => ({ domain: "", ...contact }), [["domain", /^must not be empty/]]],
  ["a lone dot", () => ({ domain: ".", ...contact }), [["domain", /^must not be empty/]]],
  [
    "label ending in a hyphen",
    () => ({ domain: "www-.example.com", ...contact }),
    [["domain", /^"www-\.example\.com" is not a valid host name \(letters, digits/]],
  ],
  [
    "underscore label",
    () => ({ domain: "_x.example.com", ...contact }),
    [["domain", /^"_x\.example\.com" is not a valid host name \(letters, digits a/]],
  ],
  [
    "NUL byte in domain",
    () => ({ domain: "www.example.com\u0000", ...contact }),
    [["domain", /^must not contain control characters \(NUL, CR\/LF, tabs, bidi /]],
  ],
  [
    "header injection in domain",
    () => ({ domain: "www.example.com\r\nX-Evil: 1", ...contact }),
    [["domain", /^must not contain control characters \(NUL, CR\/LF, tabs, bidi /]],
  ],
  [
    "leading dot",
    () => ({ domain: ".example.com", ...contact }),
    [["domain", /^"\.example\.com" is not a valid host name \(letters, digits and/]],
  ],
  [
    "numeric top-level label",
    () => ({ domain: "www.example.123", ...contact }),
    [["domain", /^"www\.example\.123" is not a valid host name \(letters, digits /]],
  ],
  [
    "full-width dots",
    () => ({ domain: "www．example．com", ...contact }),
    [["domain", /^"www．example．com" holds ． \(U\+FF0E\), not ASCII; .*punycode A-label/]],
  ],
  [
    "zero-width joiner",
    () => ({ domain: "www.exa\u200dmple.com", ...contact }),
    [["domain", /^must not contain control characters \(NUL, CR\/LF, tabs, bidi /]],
  ],
  [
    "product code with spaces",
    () => ({ domain: "www.example.com", productCode: " digicert-free-1-free", ...contact }),
    [["productCode", /^a product code such as digicert-free-1-free \(lowercase letters and digits/]],
  ],
  [
    "validateType as a list",
    () => ({ domain: "www.example.com", validateType: ["DNS"], ...contact }),
    [["validateType", /^use DNS or FILE \(CAS has no EMAIL validation\)/]],
  ],
  [
    "1,000 tags (CreateCertificateRequest takes 20)",
    () => ({
      domain: "www.example.com",
      ...contact,
      tags: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, "v"])),
    }),
    [["tags", /^CreateCertificateRequest takes at most 20 tags; this order has 1000$/]],
  ],
  [
    "oversized tag key",
    () => ({ domain: "www.example.com", ...contact, tags: { ["k".repeat(200)]: "v" } }),
    [["tags", /is 200 characters; CreateCertificateRequest allows at most 64$/]],
  ],
  [
    "empty username",
    () => ({ domain: "www.example.com", ...contact, username: "" }),
    [["username", /^must not be empty/]],
  ],
  [
    "phone with letters",
    () => ({ domain: "www.example.com", ...contact, phone: "1380000abcd" }),
    [["phone", /^a phone number such as 13800001111 or \+86 138 0000 1111/]],
  ],
  [
    "oversized email",
    () => ({ domain: "www.example.com", ...contact, email: `${"a".repeat(300)}@example.com` }),
    [
      ["email", /^Too big: expected string to have <=254 characters/],
      ["email", /^an email address such as ops@example\.com/],
    ],
  ],
  [
    "renewBeforeDays as text",
    () => ({ domain: "www.example.com", ...contact, renewBeforeDays: "30" }),
    [["renewBeforeDays", /^a whole number of days/]],
  ],
  [
    "adoptOrderId as a number beyond 2^53 (a safe whole number is taken as its decimal string)",
    () => ({ domain: "www.example.com", ...contact, adoptOrderId: 2 ** 53 + 2 }),
    [["adoptOrderId", /^a string such as "12000007": OrderIds can exceed 2\^53/]],
  ],
  // Added with the safety review (issue 11, item 8).
  [
    "a broken CSR followed by other text (a key in a form not recognized): reported without naming csr",
    (c) => ({ csr: `${tamper(c.good)}\n${c.privateKey.split("\n").slice(1, -2).join("")}`, ...contact }),
    [["", /^csr: the CSR's signature does not verify/]],
  ],
  [
    "a lower-case private key PEM",
    (c) => ({ csr: c.privateKey.toLowerCase(), ...contact }),
    [["", /^csr: this contains a private key/]],
  ],
  [
    "a real private key pasted in (app.key instead of app.csr)",
    (c) => ({ csr: c.privateKey, ...contact }),
    [["", /^csr: this contains a private key .*The value is not shown$/]],
  ],
  [
    "a private key after the CSR in one file",
    (c) => ({ csr: c.good + c.privateKey, ...contact }),
    [["", /^csr: this contains a private key/]],
  ],
  [
    "RSA-PSS key (was reported as an RSA key of 0 bits)",
    () => ({ csr: readFileSync(resolve(FIXTURES, "rsa-pss.csr.pem"), "utf8"), ...contact }),
    [["csr", /^RSA-PSS keys are not accepted \(CAS takes plain RSA keys, rsaEncryption\)/]],
  ],
  [
    "a SAN over 253 characters",
    // Any name beyond the CN is refused (CAS binds only the CN), however long.
    (c) => ({ csr: c.longSan, ...contact }),
    [
      [
        "csr",
        /^CAS binds only the CSR's CN \(www\.example\.com\); a{60}\.b{60}\.c{60}\.d{60}\.example\.com would not/,
      ],
    ],
  ],
  [
    "EC P-521 key",
    (c) => ({ csr: c.p521, ...contact }),
    [["csr", /^EC curve P-521 is not supported \(CAS accepts P-256 or P-384\)$/]],
  ],
  [
    "dnsZone with a path",
    () => ({ domain: "www.example.com", ...contact, dnsZone: "../../etc/passwd" }),
    [["dnsZone", /^a DNS zone such as example\.com/]],
  ],
  [
    "dnsZone not a suffix of the name",
    () => ({ domain: "www.example.com", ...contact, dnsZone: "example.org" }),
    [["dnsZone", /^www\.example\.com is not in zone example\.org$/]],
  ],
  [
    "dnsZone a label of the name but not a suffix",
    () => ({ domain: "www.example.com", ...contact, dnsZone: "www" }),
    [["dnsZone", /^a DNS zone such as example\.com/]],
  ],
  [
    "dnsZone that only ends like the name",
    () => ({ domain: "www.example.com", ...contact, dnsZone: "ample.com" }),
    [["dnsZone", /^www\.example\.com is not in zone ample\.com$/]],
  ],
  [
    "dnsZone a wildcard",
    () => ({
      domain: "*.example.com",
      productCode: "geotrust-dv-w-starter",
      ...contact,
      dnsZone: "*.example.com",
    }),
    [["dnsZone", /^a DNS zone such as example\.com/]],
  ],
  [
    "dnsZone with a NUL",
    () => ({ domain: "www.example.com", ...contact, dnsZone: "example.com\u0000" }),
    [["dnsZone", /control characters/]],
  ],
  [
    "dnsZone below the name",
    () => ({ domain: "example.com", ...contact, dnsZone: "www.example.com" }),
    [["dnsZone", /^example\.com is not in zone www\.example\.com$/]],
  ],
  [
    "NUL in username",
    () => ({ domain: "www.example.com", ...contact, username: "Kel\u0000ler" }),
    [["username", /control characters/]],
  ],
  [
    "CR-LF in username",
    () => ({ domain: "www.example.com", ...contact, username: "Keller\r\nX-Evil: 1" }),
    [["username", /control characters/]],
  ],
  [
    "bidi override in username",
    () => ({ domain: "www.example.com", ...contact, username: "Kel\u202eler" }),
    [["username", /control characters/]],
  ],
  [
    "tab in username",
    () => ({ domain: "www.example.com", ...contact, username: "Kel\tler" }),
    [["username", /control characters/]],
  ],
  [
    "NUL in email",
    () => ({ domain: "www.example.com", ...contact, email: "ops\u0000@example.com" }),
    [["email", /control characters/]],
  ],
  [
    "bidi isolate in email",
    () => ({ domain: "www.example.com", ...contact, email: "ops@exa\u2067mple.com" }),
    [
      ["email", /control characters/],
      ["email", /email address/],
    ],
  ],
  [
    "NUL in companyName",
    () => ({ domain: "www.example.com", ...contact, companyName: "Acme\u0000" }),
    [["companyName", /control characters/]],
  ],
  [
    "CR-LF in companyName",
    () => ({ domain: "www.example.com", ...contact, companyName: "Acme\r\nLtd" }),
    [["companyName", /control characters/]],
  ],
  [
    "line separator in companyName",
    () => ({ domain: "www.example.com", ...contact, companyName: "Acme\u2028Ltd" }),
    [["companyName", /control characters/]],
  ],
  [
    "phone of parentheses",
    () => ({ domain: "www.example.com", ...contact, phone: "1((((((1" }),
    [
      ["phone", /^a phone number such as/],
      ["phone", /6 to 20 digits/],
    ],
  ],
  [
    "phone of hyphens",
    () => ({ domain: "www.example.com", ...contact, phone: "1------1" }),
    [
      ["phone", /^a phone number such as/],
      ["phone", /6 to 20 digits/],
    ],
  ],
  [
    "phone of spaces",
    () => ({ domain: "www.example.com", ...contact, phone: "1      1" }),
    [
      ["phone", /^a phone number such as/],
      ["phone", /6 to 20 digits/],
    ],
  ],
  [
    "phone with empty parentheses",
    () => ({ domain: "www.example.com", ...contact, phone: "138()00001111" }),
    [["phone", /^a phone number such as/]],
  ],
  [
    "phone too long",
    () => ({ domain: "www.example.com", ...contact, phone: "1".repeat(25) }),
    [["phone", /6 to 20 digits/]],
  ],
  [
    // Took exponential time in the phone pattern (blocked the provider process); now refused by length.
    "phone with three numbers and a note",
    () => ({ ...contact, domain: "www.example.com", phone: "13800001111 13900002222 13700003333 (mobile)" }),
    [["phone", /^at most 40 characters \(6 to 20 digits\)$/]],
  ],
  [
    // Under the length bound: the pattern itself must fail fast (2^35 paths before).
    "phone of 36 digits and a letter",
    () => ({ ...contact, domain: "www.example.com", phone: `${"1".repeat(36)}x` }),
    [
      ["phone", /^a phone number such as/],
      ["phone", /6 to 20 digits/],
    ],
  ],
  [
    "productCode __proto__",
    () => ({ domain: "www.example.com", ...contact, productCode: "__proto__" }),
    [["productCode", /^a product code such as digicert-free-1-free/]],
  ],
  [
    "productCode toString",
    () => ({ domain: "www.example.com", ...contact, productCode: "toString" }),
    [["productCode", /^a product code such as digicert-free-1-free/]],
  ],
  [
    "renewBeforeDays over a year",
    () => ({ domain: "www.example.com", ...contact, renewBeforeDays: 400 }),
    [["renewBeforeDays", /^at most 365 days$/]],
  ],
  [
    "renewBeforeDays negative",
    () => ({ domain: "www.example.com", ...contact, renewBeforeDays: -5 }),
    [["renewBeforeDays", /^at least 1 day$/]],
  ],
  [
    "two problems at once: bad email and bad phone",
    () => ({ domain: "www.example.com", ...contact, email: "nope", phone: "x" }),
    [
      ["phone", /^a phone number such as/],
      ["phone", /6 to 20 digits/],
      ["email", /email address/],
    ],
  ],
  [
    "two unknown properties",
    () => ({ domain: "www.example.com", ...contact, domian: "x", emial: "y" }),
    [["domian", /^unknown properties domian, emial$/]],
  ],
  [
    "missing the whole contact (DV)",
    () => ({ domain: "www.example.com" }),
    [
      ["username", /needs the contact's username/],
      ["phone", /needs the contact's phone/],
      ["email", /needs the contact's email/],
    ],
  ],
  [
    "dnsZone outside and a missing email",
    () => ({ domain: "www.example.com", username: "u", phone: contact.phone, dnsZone: "example.net" }),
    [
      ["dnsZone", /not in zone example\.net/],
      ["email", /needs the contact's email/],
    ],
  ],
  [
    "tag key with a space and a colon (CreateCertificateRequest: letters, digits, . _ - only)",
    () => ({ domain: "www.example.com", ...contact, tags: { "team:web ops": "x" } }),
    [
      [
        "tags",
        /^tag key "team:web ops" must start with a letter and hold only letters, digits, periods, underscores and hyphens \(CreateCertificateRequest\)$/,
      ],
    ],
  ],
  [
    "tag key with a slash (CreateCertificateRequest)",
    () => ({ domain: "www.example.com", ...contact, tags: { "k8s/app": "x" } }),
    [["tags", /^tag key "k8s\/app" must start with a letter and hold only letters/]],
  ],
  [
    "200-character tag value on an order by CSR",
    (c) => ({ csr: c.good, ...contact, tags: { env: "v".repeat(200) } }),
    [
      [
        "tags",
        /^the value of tag "env" is 200 characters; CreateCertificateWithCsrRequest allows at most 128$/,
      ],
    ],
  ],
  [
    "CR/LF and a bidi override in a tag value",
    () => ({ domain: "www.example.com", ...contact, tags: { env: "prod\r\nX-Injected: 1\u202e" } }),
    [
      [
        "tags",
        /^the value of tag "env" must not contain control characters \(CR\/LF, tabs, bidi or zero-width marks\)$/,
      ],
    ],
  ],
  [
    "a tab in a tag key of a several-name order",
    () => ({ domains: ["a.example.com", "b.example.com"], tags: { "a\tb": "x" } }),
    [["tags", /^tag key "a\\u0009b" must not contain control characters/]],
  ],
  [
    "constructor as a tag key",
    () => ({ domain: "www.example.com", ...contact, tags: { constructor: "x" } }),
    [["tags", /^"constructor" cannot be a tag key/]],
  ],
  [
    "domains as a string, not a list",
    () => ({ domains: "a.example.com" }),
    [["domains", /^Invalid input: expected array, received string$/]],
  ],
];

/** Bad inputs of a CertificateOrderValidation, with every failure check() must return. */
export const BAD_VALIDATION_INPUTS: Array<
  [name: string, inputs: Record<string, unknown>, failures: Array<[string, RegExp]>]
> = [
  [
    "misspelled timeoutMinutes",
    { orderId: "12000001", timeoutMinuets: 30 },
    [["timeoutMinuets", /^unknown property timeoutMinuets/]],
  ],
  ["orderId and instanceId missing", {}, [["orderId", /exactly one of orderId .* or instanceId/]]],
  [
    "orderId and instanceId both given",
    { orderId: "12000001", instanceId: "cas-cn-abc123" },
    [["instanceId", /exactly one of orderId .* or instanceId/]],
  ],
  ["instanceId not an id", { instanceId: "a b" }, [["instanceId", /id of a certificate instance/]]],
  ["orderId not numeric", { orderId: "abc" }, [["orderId", /OrderId of a CertificateOrder/]]],
  [
    "maxPollIntervalSeconds below pollIntervalSeconds",
    { orderId: "1", pollIntervalSeconds: 30, maxPollIntervalSeconds: 10 },
    [["maxPollIntervalSeconds", /^at least pollIntervalSeconds \(30\)/]],
  ],
  [
    "timeoutMinutes zero",
    { orderId: "1", timeoutMinutes: 0 },
    [["timeoutMinutes", /^a number from 1 to 10080$/]],
  ],
  [
    "timeoutMinutes as text",
    { orderId: "1", timeoutMinutes: "60" },
    [["timeoutMinutes", /^a number from 1 to 10080$/]],
  ],
  [
    "pollIntervalSeconds NaN-like",
    { orderId: "1", pollIntervalSeconds: -1 },
    [["pollIntervalSeconds", /^a number from 1 to 3600$/]],
  ],
  [
    "resolver as a host name",
    { orderId: "1", dnsPrecheck: { resolvers: ["dns.google"] } },
    [["dnsPrecheck", /resolvers are IP addresses.*"dns\.google"/]],
  ],
  [
    "resolver with a bad port",
    { orderId: "1", dnsPrecheck: { resolvers: ["1.1.1.1:99999"] } },
    [["dnsPrecheck", /resolvers are IP addresses/]],
  ],
  [
    "resolver as a URL",
    { orderId: "1", dnsPrecheck: { resolvers: ["https://1.1.1.1/dns-query"] } },
    [["dnsPrecheck", /resolvers are IP addresses/]],
  ],
  [
    "resolvers not a list",
    { orderId: "1", dnsPrecheck: { resolvers: "1.1.1.1" } },
    [["dnsPrecheck", /resolvers are IP addresses/]],
  ],
  ["dnsPrecheck as text", { orderId: "1", dnsPrecheck: "yes" }, [["dnsPrecheck", /^true, or \{ resolvers/]]],
  [
    "validationRecordFqdns not a list",
    { orderId: "1", validationRecordFqdns: "_dnsauth.example.com" },
    [["validationRecordFqdns", /^a list of record names$/]],
  ],
  [
    "everything wrong at once",
    { orderId: "x", timeoutMinutes: 0, pollIntervalSeconds: 9, maxPollIntervalSeconds: 3, extra: true },
    [
      ["extra", /^unknown property extra/],
      ["orderId", /OrderId/],
      ["timeoutMinutes", /1 to 10080/],
      ["maxPollIntervalSeconds", /at least pollIntervalSeconds \(9\)/],
    ],
  ],
  [
    "validationRecordFqdns holding a number, a bad name, an empty string and an object",
    { orderId: "1", validationRecordFqdns: [5, "not a name!!", "", {}] },
    [
      [
        "validationRecordFqdns",
        /^record names such as _dnsauth\.example\.com; not 5, "not a name!!", "", \{\}$/,
      ],
    ],
  ],
  [
    // 40 labels of "_a." matched two ways each in the old record-name pattern (24 took a second).
    "validationRecordFqdns of 40 underscore labels and a digit",
    { orderId: "1", validationRecordFqdns: [`${"_a.".repeat(40)}1`] },
    [["validationRecordFqdns", /^record names such as _dnsauth\.example\.com; not "(_a\.){40}1"$/]],
  ],
  [
    "a private key pasted into validationRecordFqdns",
    {
      orderId: "1",
      validationRecordFqdns: ["-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----"],
    },
    [["", /^validationRecordFqdns: this contains a private key .*The value is not shown$/]],
  ],
  [
    "unknown key inside dnsPrecheck",
    { orderId: "1", dnsPrecheck: { resolvers: ["1.1.1.1"], extra: "x" } },
    [["dnsPrecheck", /^unknown property extra \(dnsPrecheck takes resolvers only\)$/]],
  ],
];
