// The flow of the product's documentation, typed end to end: create the
// example campaign, enroll leads, start it, and print its stats until every
// message is delivered (or a deadline passes).
//
//   LEADTERRA_URL=http://127.0.0.1:8080 LEADTERRA_API_KEY=sk_live_… node dist/example.js [leads]
import { createLeadterraClient, unwrap, type Schemas } from "./index.js";

const baseUrl = process.env.LEADTERRA_URL ?? "http://127.0.0.1:8080";
const apiKey = process.env.LEADTERRA_API_KEY ?? "";
const leadCount = Number(process.argv[2] ?? "3");
if (!apiKey) throw new Error("set LEADTERRA_API_KEY");

const client = createLeadterraClient({ baseUrl, apiKey });

const steps: Schemas["StepInput"][] = [
  {
    subject: "Quick question, {{firstName|there}}",
    bodyHtml: "<p>Hi {{firstName|there}}, how does {{company}} handle AI workflows today?</p>",
  },
  { subject: "", delayDays: 3, bodyHtml: "<p>Bumping this up, {{firstName|there}}.</p>" },
];
const campaign = await unwrap(
  client.POST("/v1/campaigns", {
    body: { name: "VP Sales — AI Workflow Q1", sequenceSteps: steps },
  }),
);
console.log(`created ${campaign.id} (${campaign.status})`);

const leads: Schemas["LeadInput"][] = Array.from({ length: leadCount }, (_, i) => ({
  email: `prospect${i}@example.com`,
  firstName: `Prospect ${i}`,
  company: "Northwind",
  customFields: { industry: "SaaS" },
}));
const enrolled = await unwrap(
  client.POST("/v1/campaigns/{id}/leads/bulk", {
    params: { path: { id: campaign.id } },
    body: { leads },
  }),
);
console.log(`enrolled ${enrolled.enrolled} of ${enrolled.received}`);

const started = await unwrap(
  client.POST("/v1/campaigns/{id}/start", { params: { path: { id: campaign.id } } }),
);
console.log(`status ${started.status}`);

const deadline = Date.now() + Number(process.env.EXAMPLE_TIMEOUT_MS ?? "60000");
for (;;) {
  const stats = await unwrap(
    client.GET("/v1/campaigns/{id}/stats", { params: { path: { id: campaign.id } } }),
  );
  const m = stats.metrics;
  console.log(
    `delivered ${m.delivered} queued ${m.queued} bounced ${m.bounced} replied ${m.replied}`,
  );
  if (m.delivered >= leadCount || Date.now() > deadline) break;
  await new Promise((resolve) => setTimeout(resolve, 250));
}
