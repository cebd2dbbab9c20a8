import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OutboundFailed, OutboundRefused, addressRange, checkDestination, isPublicAddress, outboundRequest } from "./outbound";

/**
 * Outbound requests to addresses someone else chose (issue 15, point 8: server-side request forgery).
 * The address rules are checked on their own; the request function against real local HTTP servers:
 * a loopback target is refused unless allowed, redirects are answered, not followed, the body is capped
 * and the whole exchange has a deadline.
 */
describe("address classification", () => {
  const refused: [string, string][] = [
    ["127.0.0.1", "loopback"],
    ["127.255.10.2", "loopback"],
    ["::1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.10", "private"],
    ["fc00::1", "uniqueLocal"],
    ["fd12:3456::1", "uniqueLocal"],
    ["169.254.169.254", "linkLocal"],
    ["169.254.0.1", "linkLocal"],
    ["fe80::1", "linkLocal"],
    ["fe80::1%eth0", "linkLocal"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["100.64.0.1", "carrierGradeNat"],
    ["100.127.255.254", "carrierGradeNat"],
    ["224.0.0.1", "multicast"],
    ["ff02::1", "multicast"],
    ["255.255.255.255", "broadcast"],
    // IPv4-mapped IPv6 forms are the IPv4 address they carry; IPv4-compatible ones are refused as such.
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:169.254.169.254", "linkLocal"],
    ["::ffff:10.0.0.1", "private"],
    ["::7f00:1", "ipv4Compatible"],
    ["64:ff9b::a00:1", "rfc6052"],
    ["2002:7f00:1::1", "6to4"],
    ["not an address", "invalid"],
    ["127.1", "invalid"],
  ];
  it.each(refused)("%s is %s, not public", (address, range) => {
    expect(addressRange(address)).toBe(range);
    expect(isPublicAddress(address)).toBe(false);
  });
  it.each(["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "169.255.0.1", "2606:4700::1111", "::ffff:8.8.8.8"])("%s is public", (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe("checkDestination", () => {
  const refusal = async (url: string, opts: Parameters<typeof checkDestination>[1] = {}) => {
    const err = await checkDestination(url, opts).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OutboundRefused);
    return (err as OutboundRefused).reason;
  };
  it("refuses other schemes and junk", async () => {
    expect(await refusal("ftp://8.8.8.8/x")).toBe("bad_url");
    expect(await refusal("file:///etc/passwd")).toBe("bad_url");
    expect(await refusal("not a url")).toBe("bad_url");
  });
  it("refuses plain http unless allowed by the deployment or the target's private flag", async () => {
    expect(await refusal("http://8.8.8.8/hook", { allowHttp: false })).toBe("http_not_allowed");
    await expect(checkDestination("http://8.8.8.8/hook", { allowHttp: true })).resolves.toMatchObject({ addresses: [{ address: "8.8.8.8", family: 4 }] });
    await expect(checkDestination("http://10.0.0.5/hook", { allowHttp: false, allowPrivate: true })).resolves.toBeDefined();
    await expect(checkDestination("https://8.8.8.8/hook", { allowHttp: false })).resolves.toBeDefined();
  });
  it("refuses loopback, private, link-local and metadata addresses, in any spelling, unless allowed", async () => {
    for (const url of [
      "https://127.0.0.1/",
      "https://[::1]:8443/",
      "https://10.0.0.8/",
      "https://192.168.0.1/",
      "https://169.254.169.254/latest/meta-data/",
      "https://[::ffff:169.254.169.254]/",
      "https://2130706433/",
      "https://0x7f.1/",
      "https://0.0.0.0/",
      "https://[fd00::1]/",
      "https://100.64.1.1/",
    ])
      expect(await refusal(url), url).toBe("private_address");
    await expect(checkDestination("https://169.254.169.254/", { allowPrivate: true })).resolves.toBeDefined();
  });
  it("resolves host names and refuses when any address is not public (localhost)", async () => {
    expect(await refusal("https://localhost:8443/replay")).toBe("private_address");
    expect(await refusal("https://LOCALHOST:8443/replay")).toBe("private_address");
    const ok = await checkDestination("https://localhost:8443/replay", { allowPrivate: true });
    expect(ok.addresses.length).toBeGreaterThan(0);
    expect(ok.addresses.every((a) => !isPublicAddress(a.address))).toBe(true);
  });
});

describe("outboundRequest against local servers", () => {
  let server: Server;
  let base = "";
  const seen: { path: string; host: string | undefined; body: string; headers: IncomingMessage["headers"] }[] = [];
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    "/ok": (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"status":"delivered"}'),
    "/redirect": (_req, res) => res.writeHead(302, { location: "/ok" }).end(),
    "/big": (_req, res) => {
      res.writeHead(200);
      res.end("x".repeat(1_000_000));
    },
    "/error": (_req, res) => res.writeHead(500).end("e".repeat(100_000)),
    "/hang": () => undefined, // never answers
    "/slow-body": (_req, res) => {
      res.writeHead(200);
      res.write("first part;");
      // the rest never comes
    },
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        seen.push({ path: req.url ?? "", host: req.headers.host, body, headers: req.headers });
        (routes[req.url ?? ""] ?? ((_q, s) => s.writeHead(404).end()))(req, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  const hits = (path: string) => seen.filter((s) => s.path === path).length;

  it("refuses a loopback target without the allow flag: nothing is sent", async () => {
    const before = seen.length;
    await expect(outboundRequest(`${base}/ok`, { method: "POST", body: "{}" })).rejects.toMatchObject({ name: "OutboundRefused", reason: "private_address" });
    const port = (server.address() as AddressInfo).port;
    await expect(outboundRequest(`http://localhost:${port}/ok`)).rejects.toBeInstanceOf(OutboundRefused);
    expect(seen.length).toBe(before);
  });

  it("sends to an allowed private target: method, headers, body; the Host header keeps the name of the URL", async () => {
    const port = (server.address() as AddressInfo).port;
    const res = await outboundRequest(`http://localhost:${port}/ok`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-test": "1" },
      body: '{"a":1}',
      allowPrivate: true,
    });
    expect(res).toMatchObject({ status: 200, bodyText: '{"status":"delivered"}', truncated: false });
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ path: "/ok", host: `localhost:${port}`, body: '{"a":1}' });
    expect(last.headers["x-test"]).toBe("1");
  });

  it("answers a redirect as it is and does not follow it", async () => {
    const before = hits("/ok");
    const res = await outboundRequest(`${base}/redirect`, { method: "POST", body: "{}", allowPrivate: true });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/ok");
    expect(hits("/ok")).toBe(before);
  });

  it("reads at most maxResponseBytes of the body and says it truncated", async () => {
    const big = await outboundRequest(`${base}/big`, { allowPrivate: true, maxResponseBytes: 1000 });
    expect(big).toMatchObject({ status: 200, truncated: true });
    expect(big.bodyText).toHaveLength(1000);
    const error = await outboundRequest(`${base}/error`, { allowPrivate: true, maxResponseBytes: 2048 });
    expect(error).toMatchObject({ status: 500, truncated: true });
    expect(error.bodyText).toHaveLength(2048);
    const small = await outboundRequest(`${base}/ok`, { allowPrivate: true, maxResponseBytes: 1000 });
    expect(small.truncated).toBe(false);
  });

  it("gives up after the timeout, waiting for the answer or for the rest of the body", async () => {
    for (const path of ["/hang", "/slow-body"]) {
      const started = Date.now();
      const err = await outboundRequest(`${base}${path}`, { allowPrivate: true, timeoutMs: 300 }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, path).toBeInstanceOf(OutboundFailed);
      expect((err as OutboundFailed).reason).toBe("timeout");
      expect(Date.now() - started).toBeLessThan(3_000);
    }
  });

  it("reports a refused connection and a cancelled request as failures", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await expect(outboundRequest(`http://127.0.0.1:${port}/`, { allowPrivate: true })).rejects.toMatchObject({ name: "OutboundFailed", reason: "network" });
    const controller = new AbortController();
    const pending = outboundRequest(`${base}/hang`, { allowPrivate: true, signal: controller.signal, timeoutMs: 5_000 });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "OutboundFailed", reason: "aborted" });
  });

  it("TLS: sends the URL's name (SNI) to the checked address and verifies the certificate against it", async () => {
    const names: string[] = [];
    const tls = createTlsServer(
      {
        key: TEST_KEY,
        cert: TEST_CERT,
        SNICallback: (name, cb) => {
          names.push(name);
          cb(null);
        },
      },
      (_req, res) => res.end("ok"),
    );
    tls.on("tlsClientError", () => undefined);
    await new Promise<void>((r) => tls.listen(0, "127.0.0.1", r));
    const port = (tls.address() as AddressInfo).port;
    // Self-signed for another name: the handshake fails (certificates are never taken on trust).
    const err = await outboundRequest(`https://localhost:${port}/`, { allowPrivate: true, timeoutMs: 3_000 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OutboundFailed);
    expect((err as OutboundFailed).message).toMatch(/self[- ]signed|certificate/i);
    expect(names).toEqual(["localhost"]);
    tls.closeAllConnections();
    await new Promise((r) => tls.close(r));
  });
});

// A self-signed certificate for "andon-test.invalid" (test only; valid until 2126).
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgsxV6kz4zHbVmosPI
MqJzbQpwjnTwHWbiVd54PpjKJBuhRANCAARoGSv7iR3tbK0CE4Tz8fbXs6fg3OZB
FspgshnyYwU3QF4r/Aqs/lWbRXzVrbDw4uhrhmLiM+7+Vo2kWZqqFAfm
-----END PRIVATE KEY-----
`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBkTCCATegAwIBAgIUAX2GmGNzTQqHM+MBN5TbYdY7PfswCgYIKoZIzj0EAwIw
HTEbMBkGA1UEAwwSYW5kb24tdGVzdC5pbnZhbGlkMCAXDTI2MTIwNjE0NDEyMVoY
DzIxMjYxMTEyMTQ0MTIxWjAdMRswGQYDVQQDDBJhbmRvbi10ZXN0LmludmFsaWQw
WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARoGSv7iR3tbK0CE4Tz8fbXs6fg3OZB
FspgshnyYwU3QF4r/Aqs/lWbRXzVrbDw4uhrhmLiM+7+Vo2kWZqqFAfmo1MwUTAd
BgNVHQ4EFgQUL3h9p0ol0fOQrSUqxt0IOdL21A8wHwYDVR0jBBgwFoAUL3h9p0ol
0fOQrSUqxt0IOdL21A8wDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBF
AiAXx4DlE0HV9fCZ8yU6gekRPGARt9eQSOK/XJGHoUuBmAIhAOxCw26gtZqs8xg5
CcA27yM39srEPx8/HmRdu+xNk1Td
-----END CERTIFICATE-----
`;
