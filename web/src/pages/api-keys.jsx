import { PageHeader } from "../components/PageHeader.jsx";
export default function P() { return <PageHeader title="api-keys" subtitle="Coming soon." />; }
