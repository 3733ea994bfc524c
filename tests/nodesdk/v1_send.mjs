// Sends through the local endpoint's 2017 API with @aws-sdk/client-ses, as a Node application would.
// Reads the endpoint and this run's credentials from the environment (what `ses-workbench local-ses`
// prints); writes one JSON object with what came back. Run by tests/ses_local/test_v1_clients.py.
import { SESClient, CreateTemplateCommand, SendBulkTemplatedEmailCommand, SendRawEmailCommand,
         GetTemplateCommand } from "@aws-sdk/client-ses";

const [source, to] = process.argv.slice(2);
const client = new SESClient({
  endpoint: process.env.AWS_ENDPOINT_URL_SES,
  region: process.env.AWS_DEFAULT_REGION,
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
  maxAttempts: 1,
});

const out = {};
await client.send(new CreateTemplateCommand({ Template: {
  TemplateName: "node-welcome", SubjectPart: "Hello {{name}}", TextPart: "Hi {{name}} from {{shop}}" } }));
const bulk = await client.send(new SendBulkTemplatedEmailCommand({
  Source: source, Template: "node-welcome", DefaultTemplateData: JSON.stringify({ name: "friend", shop: "Acme" }),
  Destinations: [
    { Destination: { ToAddresses: [to] }, ReplacementTemplateData: JSON.stringify({ name: "Ana" }) },
    { Destination: { ToAddresses: [to] } },
    { Destination: { ToAddresses: ["not-an-address"] } },
  ],
}));
out.bulk = bulk.Status;
const raw = [`From: ${source}`, `To: ${to}`, "Subject: Raw from Node", "MIME-Version: 1.0",
             "Content-Type: text/plain; charset=UTF-8", "", "Sent with SendRawEmail."].join("\r\n");
const rawOut = await client.send(new SendRawEmailCommand({ RawMessage: { Data: new TextEncoder().encode(raw) } }));
out.raw = rawOut.MessageId;
try {
  await client.send(new GetTemplateCommand({ TemplateName: "missing" }));
  out.error = null;
} catch (err) {
  out.error = { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
}
process.stdout.write(JSON.stringify(out));
