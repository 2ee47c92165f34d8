// What a page shows before its data is there: a polite "Loading…", or the
// error that kept it from loading (with a retry), under the page's header.

import { PageHeader } from './PageHeader.jsx';
import { ErrorBanner } from './ErrorBanner.jsx';

export function Loading() {
  return (
    <p class="muted" role="status">
      Loading…
    </p>
  );
}

// `notFound`: what a 404 means on this page ("There is no such campaign …").
export function PageLoadError({ title, back, error, onRetry, notFound }) {
  return (
    <section>
      <PageHeader title={title} back={back} />
      <ErrorBanner error={error} onRetry={onRetry}>
        {error.status === 404 ? notFound : error.message}
      </ErrorBanner>
    </section>
  );
}
