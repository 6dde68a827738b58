'use client';

import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

/**
 * Tells the server the browser's time zone (a cookie, for display only: custom
 * windows and local times in the audit area). Refreshes once when it changes so
 * the page shows local times straight away.
 */
export function TimeZoneCookie({ current }: { current: string | undefined }) {
  const router = useRouter();
  useEffect(() => {
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!tz || tz === current) return;
    document.cookie = `warden_tz=${encodeURIComponent(tz)}; Path=/; SameSite=Strict; Max-Age=31536000`;
    router.refresh();
  }, [current, router]);
  return null;
}
