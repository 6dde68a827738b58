import 'server-only';
import { cookies } from 'next/headers';
import { isTimeZone } from '@/lib/validation/audit-filter';

/** The cookie a console page sets from the browser's Intl time zone (display only, never trusted for access). */
export const TIME_ZONE_COOKIE = 'warden_tz';

/** The viewer's IANA time zone as the browser reported it, if valid; undefined otherwise. */
export async function viewerTimeZone(): Promise<string | undefined> {
  const value = (await cookies()).get(TIME_ZONE_COOKIE)?.value;
  return value && isTimeZone(value) ? value : undefined;
}
