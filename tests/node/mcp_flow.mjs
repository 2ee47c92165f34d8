// An agent's whole flow through Leadterra's MCP tools, driven by the official
// MCP TypeScript SDK as the client, over Streamable HTTP or over stdio
// (`leadterra mcp`). Started by tests/e2e/test_mcp.py with one JSON argument:
//   {transport: "http"|"stdio", url, key, bin, campaign, smtpPort, leads,
//    foreignCampaignId}
// Prints every call and its result as `transcript <json>` lines, then one
// `RESULT <json>` line the test checks. Exits non-zero on any surprise.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const args = JSON.parse(process.argv[2]);

function transport() {
  if (args.transport === "stdio") {
    return new StdioClientTransport({
      command: args.bin,
      args: ["mcp", "--url", args.url],
      env: { PATH: process.env.PATH ?? "", LEADTERRA_API_KEY: args.key },
      stderr: "inherit",
    });
  }
  return new StreamableHTTPClientTransport(new URL(args.url + "/mcp"), {
    requestInit: { headers: { Authorization: `Bearer ${args.key}` } },
  });
}

const client = new Client({ name: "leadterra-e2e-agent", version: "1.0.0" });
await client.connect(transport());

async function call(name, toolArgs) {
  const result = await client.callTool({ name, arguments: toolArgs });
  console.log("transcript " + JSON.stringify({ call: name, arguments: toolArgs, result }));
  return result;
}

function data(result) {
  if (result.isError) throw new Error(`tool failed: ${JSON.stringify(result.structuredContent)}`);
  return result.structuredContent.data;
}

const { tools } = await client.listTools();
console.log("transcript " + JSON.stringify({ listTools: tools.map((t) => t.name) }));

const mailbox = data(
  await call("create_mailbox", {
    email: "agent@sender.test",
    fromName: "Agent Sender",
    smtp: { host: "127.0.0.1", port: args.smtpPort, security: "none" },
    dailyLimit: 1000,
  }),
);
const campaign = data(await call("create_campaign", args.campaign));
const leads = Array.from({ length: args.leads }, (_, i) => ({
  email: `mcp-lead-${i}@leads.test`,
  firstName: `Lead${i}`,
  company: "Northwind",
}));
const enrolled = data(await call("enroll_leads", { campaignId: campaign.id, leads }));
const lint = data(await call("lint_campaign", { campaignId: campaign.id }));
const started = data(await call("start_campaign", { campaignId: campaign.id }));

let stats;
const deadline = Date.now() + 60000;
for (;;) {
  const result = await client.callTool({
    name: "get_campaign_stats",
    arguments: { campaignId: campaign.id },
  });
  stats = data(result);
  if (stats.metrics.delivered >= args.leads || Date.now() > deadline) {
    console.log("transcript " + JSON.stringify({ call: "get_campaign_stats", result }));
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
}

// Mistakes an agent makes come back as results it can correct itself from.
const badInput = await call("create_campaign", { sequenceSteps: [] });
const foreign = await call("get_campaign", { campaignId: args.foreignCampaignId });
const badStep = await call("update_campaign", {
  campaignId: campaign.id,
  sequenceSteps: [{ subject: "x" }],
});

console.log(
  "RESULT " +
    JSON.stringify({
      tools: tools.map((t) => t.name),
      mailboxId: mailbox.id,
      campaignId: campaign.id,
      enrolled: enrolled.enrolled,
      lintMissing: lint,
      startedStatus: started.status,
      delivered: stats.metrics.delivered,
      badInput: { isError: badInput.isError, error: badInput.structuredContent?.error },
      foreign: { isError: foreign.isError, error: foreign.structuredContent?.error },
      badStep: { isError: badStep.isError, error: badStep.structuredContent?.error },
    }),
);
await client.close();
