// A minimal webhook receiver for bench/webhooks.py: answers every POST with
// 204 and counts them (and distinct event ids); GET /count returns the counts.
import http from "node:http";

const port = Number(process.argv[2]);
let posts = 0;
const ids = new Set();
http
  .createServer((req, res) => {
    if (req.method === "GET") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ posts, distinct: ids.size }));
      return;
    }
    req.resume();
    req.on("end", () => {
      posts += 1;
      ids.add(req.headers["leadterra-event-id"]);
      res.writeHead(204);
      res.end();
    });
  })
  .listen(port, "127.0.0.1", () => console.log("ready"));
