// tls-sig-api-v2 ships CommonJS without types; this declares the part roomgate uses.
declare module 'tls-sig-api-v2' {
  export class Api {
    constructor(sdkappid: number, key: string);
    /** expire is a duration in seconds; the library has no default and signs `undefined` without it. */
    genUserSig(userid: string, expire: number): string;
    genSig(userid: string, expire: number, userBuf?: Buffer | null): string;
  }
}
