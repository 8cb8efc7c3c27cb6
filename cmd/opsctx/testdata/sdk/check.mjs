// Drives the opsctx binary with the official MCP TypeScript SDK client, over stdio and over
// streamable HTTP, as a desktop or IDE assistant would: the SDK validates every tool result
// against the tool's outputSchema. Usage: node check.mjs OPSCTX_BINARY HTTP_URL [both|text]
// With "text" (the server runs with OPSCTX_RESULT_FORM=text) every tool must come without an
// outputSchema and answer with markdown only. Exits 1 and prints what failed; run by
// TestOfficialTypeScriptSDK.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [binary, httpURL, form = "both"] = process.argv.slice(2);
const textOnly = form === "text";
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };

async function session(transport, label) {
  const client = new Client({ name: "opsctx-sdk-check", version: "0" });
  await client.connect(transport);
  const { tools } = await client.listTools();
  check(tools.length === 7 && tools.every(t => !t.outputSchema === textOnly && t.annotations?.readOnlyHint === true),
    `${label}: tools/list: ${tools.map(t => `${t.name} outputSchema=${!!t.outputSchema}`)}`);
  // Each call: the tool, its arguments, a check of the structured result, and text its
  // markdown must hold.
  const calls = [
    ["incident_context", { service: "checkout" }, r => r.structuredContent.service.name === "checkout", "# Checkout (checkout)"],
    ["incident_context", { service: "checkout", detail: "brief" }, r => r.structuredContent.detail === "brief", "Ask with detail=standard"],
    ["incident_context", { incident: "INC0012345" }, r => r.structuredContent.service.name === "checkout", "(checkout)"],
    ["incident_context", { incident: "P-2311" }, r => r.structuredContent.service.name === "checkout" && r.structuredContent.resolved_from?.kind === "problem", "root cause: orders-db"],
    ["what_changed", { service: "checkout", since: "3d" }, r => r.structuredContent.changes.length > 0, "CHG0030017"],
    ["who_owns", { service: "Checkout Service" }, r => JSON.stringify(r.structuredContent).includes("checkout"), "# Who owns Checkout (checkout)"],
    ["blast_radius", { service: "orders-db", depth: 3 }, r => r.structuredContent !== undefined, "Downstream teams to tell"],
    ["active_issues", {}, r => r.structuredContent !== undefined, "root cause orders-db"],
    ["boundary_audit", { team: "team-storefront" }, r => r.structuredContent !== undefined, "# Boundary audit of team team-storefront"],
    ["find_service", { query: "cart" }, r => r.structuredContent !== undefined, "\"cart\" resolves to"],
  ];
  for (const [name, args, ok, text] of calls) {
    try {
      const r = await client.callTool({ name, arguments: args }); // throws when structuredContent does not match outputSchema
      const markdown = r.content?.length === 1 && r.content[0].type === "text" && r.content[0].text.includes(text);
      check(!r.isError && markdown && (textOnly ? r.structuredContent === undefined : r.structuredContent && ok(r)),
        `${label}: ${name} ${JSON.stringify(args)}: ${JSON.stringify(r).slice(0, 300)}`);
    } catch (e) {
      failures.push(`${label}: ${name} ${JSON.stringify(args)} threw: ${e.message}`);
    }
  }
  const wrong = await client.callTool({ name: "incident_context", arguments: { service: "chekout" } });
  check(wrong.isError && wrong.content[0].text.includes('Did you mean "checkout"'), `${label}: unknown service: ${JSON.stringify(wrong)}`);
  const prompt = await client.getPrompt({ name: "incident_brief", arguments: { service: "checkout" } });
  check(prompt.messages.length > 0, `${label}: incident_brief prompt`);
  const res = await client.readResource({ uri: "opsctx://services/checkout" });
  check(res.contents[0].text.includes("checkout"), `${label}: opsctx://services/checkout`);
  await client.close();
}

await session(new StdioClientTransport({ command: binary, args: ["serve", "--demo"], stderr: "ignore",
  env: { ...process.env, OPSCTX_RESULT_FORM: form } }), "stdio");
if (httpURL) await session(new StreamableHTTPClientTransport(new URL(httpURL)), "http");
if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(1);
}
console.log("ok");
