/** Types of static-headers.mjs (loaded by next.config.mjs as plain JavaScript). */
export declare function staticSecurityHeaders(options: { appUrl?: string | undefined }): { key: string; value: string }[];
