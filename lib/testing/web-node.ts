/**
 * A web process for the scale-out test (lib/jobs/scale-out.int.test.ts): the real route handler
 * of `POST /api/v1/vm/manage/createFromTemplate` behind node:http, on its own port, with its own
 * database pool, provider clients and pg-boss instance (and no worker), as a second web server
 * behind a load balancer would have. Prints one JSON line `{"port": …}` once it listens.
 *
 *   DATABASE_URL=… HANGAR_SECRET_KEY=… npx tsx lib/testing/web-node.ts
 */
import http from "node:http";
import { POST as createRoute } from "@/app/api/v1/vm/manage/createFromTemplate/route";

const routes: Record<string, (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>> = {
  "POST /api/v1/vm/manage/createFromTemplate": createRoute,
};

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const path = (req.url ?? "/").split("?")[0];
    const handler = routes[`${req.method} ${path}`];
    if (!handler) {
      res.writeHead(404).end();
      return;
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
    const request = new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body: req.method === "GET" ? undefined : Buffer.concat(chunks) });
    handler(request, { params: Promise.resolve({}) }).then(
      async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      },
      (error: unknown) => {
        res.writeHead(500).end(String(error));
      },
    );
  });
});

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(JSON.stringify({ port: typeof address === "object" && address ? address.port : 0 }) + "\n");
});
process.once("SIGTERM", () => process.exit(0));
