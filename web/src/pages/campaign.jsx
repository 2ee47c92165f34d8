import { PageHeader } from "../components/PageHeader.jsx";
export default function P() { return <PageHeader title="campaign" subtitle="Coming soon." />; }
