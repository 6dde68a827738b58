'use client';

import { useEffect, useRef } from 'react';

/** Hidden `tz` field of a GET form: the browser's IANA time zone, so custom wall-clock times mean the viewer's local time. */
export function BrowserTimeZoneInput({ fallback }: { fallback: string }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (ref.current && tz) ref.current.value = tz;
  }, []);
  return <input ref={ref} type="hidden" name="tz" defaultValue={fallback} />;
}
