// Types of scripts/build-node.mjs, for the TypeScript that imports it (bench/files.ts).
export declare const KITH_BUNDLE: string
export declare function bundleIsStale (): boolean
export declare function bundleNode (entry: string, outfile: string): Promise<void>
export declare function ensureKithBundle (force?: boolean): Promise<string>
export declare function newest (path: string): number
