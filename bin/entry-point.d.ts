/** Types of bin/entry-point.js (plain JavaScript so it runs before anything is compiled). */
export declare const STAMP: string;
export declare function sourceNewerThan(root: string, sinceMs: number): string | undefined;
export declare function chooseEntry(root: string): { kind: 'dist' | 'sources' | 'none'; reason: string };
