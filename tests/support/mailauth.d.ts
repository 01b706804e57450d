/** Types for the part of mailauth (a DKIM/SPF/DMARC/ARC library, JavaScript only) the tests use. */
declare module 'mailauth/lib/dkim/verify.js' {
  export interface DkimResult {
    signingDomain: string;
    selector: string;
    status: { result: 'pass' | 'fail' | 'neutral' | 'none' | 'policy' | 'temperror' | 'permerror'; comment?: string };
  }
  export function dkimVerify(
    input: Buffer | string,
    options?: { resolver?: (name: string, type: string) => Promise<string[][]> },
  ): Promise<{ results: DkimResult[] }>;
}
