import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { SES_DETAIL_TYPES, SES_EVENT_SOURCE, type SesEventType } from '#events/ses-events';
import { LOCAL_ACCOUNT_ID } from './aws-local.ts';
import type { LocalEventBus } from './event-bus.ts';
import { BodyTooLargeError, closeServer, listen, readBody, sendJson } from './json-http.ts';

/**
 * SES's sending events, locally. In AWS the configuration set publishes deliveries, bounces,
 * complaints, opens and clicks to the default EventBridge bus; the SES emulator publishes nothing
 * and keeps neither headers nor message tags. So the handlers' SES client (`SES_ENDPOINT`) talks to
 * a thin front that forwards every request to the emulator unchanged and, for each
 * `SendRawEmail` with a configuration set that the emulator accepts, puts the event SES would put
 * on the local bus's default bus, with the same detail shape (`eventType`, `mail` with `messageId`,
 * `destination`, `tags` as `{ name: [value] }`, and `delivery` / `bounce` / `complaint`):
 *
 * - "Email Delivered" for each recipient, except the mailbox simulator's
 *   `bounce@simulator.amazonses.com` (and `suppressionlist@`): "Email Bounced", Permanent;
 *   `complaint@simulator.amazonses.com`: delivered, then "Email Complaint Received".
 * - Opens and clicks come from a small tracking server (never the API server: that one serves only
 *   the documented routes): `GET /open/<messageId>` answers a 1×1 GIF and emits "Email Opened";
 *   `GET /click/<messageId>?url=<http(s) URL>` emits "Email Clicked" and redirects there, if the
 *   message holds that link (anything else is a 400: no open redirect).
 *
 * Events are emitted before the SES (or tracking) response goes out, so the bus counts them as in
 * flight by then and `LocalRuntime.waitForIdle()` covers their consumers.
 */
export interface SesEventsOptions {
  /** The SES emulator every request is forwarded to. */
  emulatorEndpoint: string;
  bus: Pick<LocalEventBus, 'publishServiceEvent'>;
  host?: string;
  /** Port of the SES front (0 picks a free one). */
  sesPort?: number;
  /** Port of the tracking server (0 picks a free one). */
  trackingPort?: number;
  log?: (message: string) => void;
}

export interface SesEvents {
  /** `SES_ENDPOINT` for the handlers: the emulator, seen through the front. */
  sesEndpoint: string;
  /** Base URL of `/open/<messageId>` and `/click/<messageId>?url=…`. */
  trackingUrl: string;
  /** Events emitted so far. */
  readonly emittedCount: number;
  /** Resolves when no SES request is being forwarded. */
  waitForIdle(): Promise<void>;
  stop(): Promise<void>;
}

type Mail = Record<string, unknown> & { messageId: string; destination: string[] };

const MAX_REQUEST_BYTES = 40 * 1024 * 1024;
const KEPT_MESSAGES = 10_000;
const HOP_BY_HOP = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'expect',
]);
/** The smallest transparent GIF, as tracking pixels are. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const SIMULATOR = /^(bounce|complaint|suppressionlist|success|ooto)(\+[^@]*)?@simulator\.amazonses\.com$/i;

/** `Name <a@b>` or `a@b` → `a@b`. */
const bareAddress = (value: string): string => (/<([^<>]+)>\s*$/.exec(value)?.[1] ?? value).trim();

/** The header block of a raw MIME message, unfolded: lower-cased name → value. */
export const headersOf = (raw: Buffer): Map<string, string> => {
  const text = raw.toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  const block = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
};

/** The addresses of an address-list header (commas inside quoted names do not split). */
const addressesOf = (value: string | undefined): string[] =>
  (value ?? '')
    .split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)
    .map(bareAddress)
    .filter((address) => address.includes('@'));

/**
 * The http(s) links of a raw message (quoted-printable and base64 bodies decoded), so
 * the click endpoint redirects only where the message itself points: no open redirect.
 */
export const linksOf = (raw: Buffer): Set<string> => {
  const source = raw.toString('utf8');
  // Base64 parts (nodemailer's choice for some bodies): their decoded text, after the headers.
  const base64Parts = [
    ...source.matchAll(
      /content-transfer-encoding:\s*base64\r?\n(?:[^\r\n]+\r?\n)*\r?\n([A-Za-z0-9+/=\r\n]+)/gi,
    ),
  ]
    .map(([, body]) => Buffer.from(body ?? '', 'base64').toString('utf8'))
    .join('\n');
  const text = `${source}\n${base64Parts}`
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  const links = new Set<string>();
  for (const [found] of text.matchAll(/https?:\/\/[^\s"'<>]+/g)) {
    try {
      links.add(new URL(found.replaceAll('&amp;', '&')).href);
    } catch {
      // Not a URL after all: not a link one could click.
    }
  }
  return links;
};

/** A path segment decoded; a malformed escape (`%E0`) names no message rather than throwing. */
const decodedOrRaw = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** The `mail` object of SES's event records, for one SendRawEmail the emulator accepted. */
export const mailOf = (form: URLSearchParams, messageId: string, at: Date): Mail => {
  const raw = Buffer.from(form.get('RawMessage.Data') ?? '', 'base64');
  const headers = headersOf(raw);
  const given = [...form.keys()]
    .filter((key) => /^Destinations\.member\.\d+$/.test(key))
    .map((key) => bareAddress(form.get(key) ?? ''));
  const destination =
    given.length > 0
      ? given
      : [
          ...addressesOf(headers.get('to')),
          ...addressesOf(headers.get('cc')),
          ...addressesOf(headers.get('bcc')),
        ];
  const source = headers.get('from') ?? form.get('Source') ?? '';
  const tags: Record<string, string[]> = {
    'ses:configuration-set': [form.get('ConfigurationSetName') ?? ''],
    'ses:from-domain': [bareAddress(source).split('@')[1] ?? ''],
    'ses:caller-identity': ['local'],
  };
  for (let i = 1; form.has(`Tags.member.${i}.Name`); i++) {
    tags[form.get(`Tags.member.${i}.Name`) ?? ''] = [form.get(`Tags.member.${i}.Value`) ?? ''];
  }
  return {
    timestamp: at.toISOString(),
    source,
    sendingAccountId: LOCAL_ACCOUNT_ID,
    messageId,
    destination,
    headersTruncated: false,
    commonHeaders: {
      from: [source],
      to: addressesOf(headers.get('to')),
      subject: headers.get('subject') ?? '',
    },
    tags,
  };
};

/** The events SES publishes after accepting `mail`, by recipient (the mailbox simulator's included). */
export const sendingEvents = (
  mail: Mail,
  at: Date,
): { type: SesEventType; detail: Record<string, unknown> }[] => {
  const timestamp = at.toISOString();
  const kindOf = (address: string) => SIMULATOR.exec(address)?.[1]?.toLowerCase();
  const bounced = mail.destination.filter((a) => ['bounce', 'suppressionlist'].includes(kindOf(a) ?? ''));
  const complained = mail.destination.filter((a) => kindOf(a) === 'complaint');
  const delivered = mail.destination.filter((a) => !bounced.includes(a));
  const events: { type: SesEventType; detail: Record<string, unknown> }[] = [];
  if (delivered.length > 0) {
    events.push({
      type: 'Delivery',
      detail: {
        eventType: 'Delivery',
        mail,
        delivery: {
          timestamp,
          processingTimeMillis: 0,
          recipients: delivered,
          smtpResponse: '250 2.6.0 Message received (local SES emulator)',
          reportingMTA: 'local.amazonses.com',
        },
      },
    });
  }
  if (bounced.length > 0) {
    events.push({
      type: 'Bounce',
      detail: {
        eventType: 'Bounce',
        mail,
        bounce: {
          bounceType: 'Permanent',
          bounceSubType: 'General',
          bouncedRecipients: bounced.map((emailAddress) => ({
            emailAddress,
            action: 'failed',
            status: '5.1.1',
            diagnosticCode: 'smtp; 550 5.1.1 user unknown',
          })),
          timestamp,
          feedbackId: randomUUID(),
          reportingMTA: 'dsn; local.amazonses.com',
        },
      },
    });
  }
  if (complained.length > 0) {
    events.push({
      type: 'Complaint',
      detail: {
        eventType: 'Complaint',
        mail,
        complaint: {
          complainedRecipients: complained.map((emailAddress) => ({ emailAddress })),
          timestamp,
          feedbackId: randomUUID(),
          complaintFeedbackType: 'abuse',
        },
      },
    });
  }
  return events;
};

/** Starts the SES front and the tracking server (see the module comment). */
export const startSesEvents = async (options: SesEventsOptions): Promise<SesEvents> => {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const emulator = options.emulatorEndpoint.replace(/\/$/, '');
  const messages = new Map<string, { mail: Mail; links: Set<string> }>();
  const idleWaiters: (() => void)[] = [];
  let inFlight = 0;
  let emittedCount = 0;

  const emit = (type: SesEventType, detail: Record<string, unknown>) => {
    emittedCount++;
    options.bus.publishServiceEvent({
      source: SES_EVENT_SOURCE,
      'detail-type': SES_DETAIL_TYPES[type],
      time: `${new Date().toISOString().slice(0, 19)}Z`,
      resources: [],
      detail,
    });
  };

  const remember = (mail: Mail, links: Set<string>) => {
    messages.set(mail.messageId, { mail, links });
    if (messages.size > KEPT_MESSAGES) messages.delete(messages.keys().next().value as string);
  };

  /** Forwards one SES request to the emulator, then emits what SES would for an accepted send. */
  const forward = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request, MAX_REQUEST_BYTES);
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    const upstream = await fetch(`${emulator}${request.url ?? '/'}`, {
      method: request.method,
      // The request as signed (the emulator wants an Authorization header), minus hop-by-hop ones.
      headers: Object.fromEntries(
        Object.entries(request.headers)
          .filter(([name, value]) => value !== undefined && !HOP_BY_HOP.has(name))
          .map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]),
      ),
      ...(hasBody ? { body } : {}),
    });
    const answer = Buffer.from(await upstream.arrayBuffer());
    const form = new URLSearchParams(hasBody ? body.toString('utf8') : '');
    if (upstream.ok && form.get('Action') === 'SendRawEmail' && form.get('ConfigurationSetName')) {
      const messageId = /<MessageId>([^<]+)<\/MessageId>/.exec(answer.toString('utf8'))?.[1];
      if (messageId) {
        const now = new Date();
        const mail = mailOf(form, messageId, now);
        remember(mail, linksOf(Buffer.from(form.get('RawMessage.Data') ?? '', 'base64')));
        for (const { type, detail } of sendingEvents(mail, now)) emit(type, detail);
      }
    }
    response.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream',
    });
    response.end(answer);
  };

  const front = createServer((request, response) => {
    inFlight++;
    forward(request, response)
      .catch((error: unknown) => {
        log(`ses: forwarding to the emulator failed: ${String(error)}`);
        if (!response.headersSent) {
          const tooLarge = error instanceof BodyTooLargeError;
          sendJson(response, tooLarge ? 413 : 502, {
            message: tooLarge ? 'Request too large' : 'SES emulator unreachable',
          });
        }
      })
      .finally(() => {
        inFlight--;
        if (inFlight === 0) for (const resolveIdle of idleWaiters.splice(0)) resolveIdle();
      });
  });

  const track = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://local');
    const match = /^\/(open|click)\/([^/]+)$/.exec(url.pathname);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendJson(response, 405, { message: 'Method not allowed' }, { allow: 'GET, HEAD' });
      return;
    }
    const message = match ? messages.get(decodedOrRaw(match[2] ?? '')) : undefined;
    if (!match || !message) {
      sendJson(response, 404, { message: 'No such message' });
      return;
    }
    const seen = {
      ipAddress: request.socket.remoteAddress ?? '127.0.0.1',
      timestamp: new Date().toISOString(),
      userAgent: String(request.headers['user-agent'] ?? ''),
    };
    if (match[1] === 'open') {
      emit('Open', { eventType: 'Open', mail: message.mail, open: seen });
      response.writeHead(200, { 'content-type': 'image/gif', 'cache-control': 'no-store' });
      response.end(PIXEL);
      return;
    }
    const target = url.searchParams.get('url') ?? '';
    let link: URL;
    try {
      link = new URL(target);
    } catch {
      sendJson(response, 400, { message: 'url must be an absolute http(s) URL' });
      return;
    }
    if (link.protocol !== 'http:' && link.protocol !== 'https:') {
      sendJson(response, 400, { message: 'url must be an absolute http(s) URL' });
      return;
    }
    if (!message.links.has(link.href)) {
      sendJson(response, 400, { message: 'url is not a link of this message' });
      return;
    }
    emit('Click', {
      eventType: 'Click',
      mail: message.mail,
      click: { ...seen, link: link.href, linkTags: {} },
    });
    response.writeHead(302, { location: link.href, 'cache-control': 'no-store' });
    response.end();
  };
  const tracking = createServer(track);

  const sesPort = await listen(front, options.sesPort ?? 0, host);
  const trackingPort = await listen(tracking, options.trackingPort ?? 0, host);
  const display = host === '0.0.0.0' || host === '::' ? 'localhost' : host;

  return {
    sesEndpoint: `http://${display}:${sesPort}`,
    trackingUrl: `http://${display}:${trackingPort}`,
    get emittedCount() {
      return emittedCount;
    },
    waitForIdle: () =>
      inFlight === 0 ? Promise.resolve() : new Promise<void>((resolveIdle) => idleWaiters.push(resolveIdle)),
    stop: async () => {
      await Promise.all([closeServer(front), closeServer(tracking)]);
    },
  };
};
