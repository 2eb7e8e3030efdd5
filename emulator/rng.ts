/** A small seeded PRNG (mulberry32): the same seed gives the same faults, ids and records. */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** `n` characters from `[0-9a-z]`. */
  token(n: number): string {
    const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
    let out = "";
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }
  /** Upper-case UUID-shaped id, like the service's RequestIds. */
  requestId(): string {
    const hex = () =>
      Math.floor(this.next() * 16)
        .toString(16)
        .toUpperCase();
    const part = (n: number) => Array.from({ length: n }, hex).join("");
    return `${part(8)}-${part(4)}-${part(4)}-${part(4)}-${part(12)}`;
  }
}
