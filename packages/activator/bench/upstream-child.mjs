// An upstream "pod" for the gateway bench: 200 "ok" after `workMs` of busy CPU (argv; 0 = at once). Prints its port.
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';

const workMs = Number(process.argv[2] ?? 0);
const server = createServer((_req, res) => {
  if (workMs > 0) {
    const end = performance.now() + workMs;
    while (performance.now() < end);
  }
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok');
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
