import type { Plugin } from "esbuild";
export declare const lazyIntlPlugin: Plugin;
