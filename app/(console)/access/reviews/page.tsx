import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { requireArea } from '@/lib/authz/areas';
import { CampaignList } from '../_components/campaign-list';

export const metadata: Metadata = { title: 'Access review campaigns' };

/** Every access review campaign the viewer may read, with the status filter in the URL. */
export default async function AccessReviewsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requireArea('access');
  return (
    <>
      <PageHeader title="Access reviews" description="Campaigns that check who still needs the access they hold." />
      <CampaignList viewer={viewer} searchParams={await searchParams} basePath="/access/reviews" />
    </>
  );
}
