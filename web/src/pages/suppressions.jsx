import { PageHeader } from "../components/PageHeader.jsx";
export default function P() { return <PageHeader title="suppressions" subtitle="Coming soon." />; }
