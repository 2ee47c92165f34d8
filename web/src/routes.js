// Every page of the dashboard, in one table. To add a page: write
// src/pages/<name>.jsx (default export: the page component, given the URL
// params as props) and add one line here. `nav` puts it in the navigation
// (`group` nests it under a heading; `count: 'inbox'` shows the unread
// replies beside it; `href` is the link when the path has an optional
// part); `public` pages need no session.
// Order matters only where two patterns could match the same URL.
export const routes = [
  { path: '/signin', title: 'Sign in', public: true, load: () => import('./pages/signin.jsx') },
  { path: '/overview', title: 'Overview', nav: 'Overview', load: () => import('./pages/overview.jsx') },
  { path: '/campaigns', title: 'Campaigns', nav: 'Campaigns', load: () => import('./pages/campaigns.jsx') },
  { path: '/campaigns/:id', title: 'Campaign', load: () => import('./pages/campaign.jsx') },
  { path: '/campaigns/:id/edit', title: 'Sequence editor', load: () => import('./pages/editor.jsx') },
  { path: '/campaigns/:id/import', title: 'Import leads', load: () => import('./pages/import.jsx') },
  // One route for the list and an open reply, so the list stays put while replies open.
  { path: '/inbox/:id?', href: '/inbox', title: 'Inbox', nav: 'Inbox', count: 'inbox', load: () => import('./pages/inbox.jsx') },
  { path: '/leads', title: 'Leads', nav: 'Leads', load: () => import('./pages/leads.jsx') },
  { path: '/leads/:id', title: 'Lead', load: () => import('./pages/lead.jsx') },
  { path: '/mailboxes', title: 'Mailboxes', nav: 'Mailboxes', load: () => import('./pages/mailboxes.jsx') },
  { path: '/settings/delivery', title: 'Delivery settings', nav: 'Delivery', group: 'Settings', load: () => import('./pages/delivery.jsx') },
  { path: '/settings/webhooks', title: 'Webhooks', nav: 'Webhooks', group: 'Settings', load: () => import('./pages/webhooks.jsx') },
  { path: '/settings/suppressions', title: 'Suppressions', nav: 'Suppressions', group: 'Settings', load: () => import('./pages/suppressions.jsx') },
  { path: '/settings/dkim', title: 'DKIM keys', nav: 'DKIM keys', group: 'Settings', load: () => import('./pages/dkim.jsx') },
  { path: '/settings/api-keys', title: 'API keys', nav: 'API keys', group: 'Settings', load: () => import('./pages/api-keys.jsx') },
];

export const HOME = '/overview';
