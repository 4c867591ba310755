// One TCP (or TLS) connection to a broker: the CONNECT handshake with protocol version and
// credentials, request/response matching by request id, keep-alive pings both ways, and
// dispatch of receipts and messages to the producers and consumers registered on it. When the
// socket goes, every pending request fails and every producer and consumer hears about it, so
// they can reconnect on their own.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import {
  CommandType, type BaseCommand, type CommandActiveConsumerChange, type CommandMessage, type CommandSendError, type CommandSendReceipt,
  type MessageMetadata,
} from './commands.js';
import { BrokerError, ConnectionClosedError, PulsarClientError, TimeoutError } from './errors.js';
import { ChecksumError, decodeFrame, encodeCommand, encodePayloadCommand, FrameReader } from './frame.js';
import type { BrokerAddress } from './service-url.js';

/** The protocol version this client speaks: v19 (TC client connect) is the last it needs. */
export const PROTOCOL_VERSION = 19;
export const CLIENT_VERSION = 'function-mesh-ts-pulsar-binary/0.1';
/** Pulsar's default maxMessageSize, used until a broker's CONNECTED says otherwise. */
export const DEFAULT_MAX_MESSAGE_SIZE = 5 * 1024 * 1024;

export interface TlsOptions {
  /** PEM file of the CA that signed the broker's certificate. */
  caFile?: string;
  /** The CA PEM itself. */
  ca?: string | Buffer;
  /** Skip certificate verification (tests only). */
  allowInsecure?: boolean;
  /** Also check the certificate's host name (default true). */
  verifyHostname?: boolean;
  /** A client certificate (PEM file, read on every connect) to present: mutual TLS. Needs keyFile. */
  certFile?: string;
  /** The client certificate's private key (PEM file). */
  keyFile?: string;
}

export interface Authentication {
  /** Pulsar's auth method name, e.g. "token". */
  methodName: string;
  /** The credentials to send; called on every connect and on every auth challenge (refresh). */
  getData(): Buffer | Promise<Buffer>;
}

export interface ConnectionOptions {
  tls?: TlsOptions;
  auth?: Authentication;
  connectTimeoutMs: number;
  operationTimeoutMs: number;
  keepAliveIntervalMs: number;
}

export interface ProducerHandler {
  handleReceipt(receipt: CommandSendReceipt): void;
  handleSendError(err: CommandSendError): void;
  /** The broker closed the producer, or the connection went: reconnect. */
  handleDisconnect(reason: string): void;
}

export interface ConsumerHandler {
  handleMessage(command: CommandMessage, metadata: MessageMetadata, payload: Buffer): void;
  /** A message whose checksum did not match: drop it (and tell the broker why). */
  handleCorruptMessage(command: CommandMessage): void;
  handleActiveChange?(change: CommandActiveConsumerChange): void;
  handleEndOfTopic?(): void;
  handleDisconnect(reason: string): void;
}

interface Pending {
  resolve(cmd: BaseCommand): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  what: string;
}

type Command = { type: number } & Record<string, unknown>;

export class Connection {
  readonly producers = new Map<number, ProducerHandler>();
  readonly consumers = new Map<number, ConsumerHandler>();
  maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
  serverVersion = '';
  private readonly reader = new FrameReader();
  private readonly pending = new Map<number, Pending>();
  private nextRequestId = 1;
  private lastReceived = Date.now();
  private keepAlive?: NodeJS.Timeout;
  private closedReason?: string;
  private corked = false;
  private readonly closeListeners: ((reason: string) => void)[] = [];

  private constructor(
    readonly address: BrokerAddress,
    private readonly socket: net.Socket,
    private readonly opts: ConnectionOptions,
  ) {}

  /** Dials `address` and completes the handshake; `proxyTo` asks a Pulsar proxy for that broker. */
  static async open(address: BrokerAddress, opts: ConnectionOptions, proxyTo?: string): Promise<Connection> {
    const socket = await dial(address, opts);
    const conn = new Connection(address, socket, opts);
    socket.on('data', (chunk: Buffer) => conn.onData(chunk));
    socket.on('close', () => conn.shutdown(`connection to ${address.url} closed`));
    socket.on('error', (err) => conn.shutdown(`connection to ${address.url} failed: ${err.message}`));
    try {
      await conn.handshake(proxyTo);
    } catch (err) {
      conn.close();
      throw err;
    }
    conn.keepAlive = setInterval(() => conn.checkAlive(), opts.keepAliveIntervalMs);
    conn.keepAlive.unref();
    return conn;
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListeners.push(listener);
  }

  newRequestId(): number {
    return this.nextRequestId++;
  }

  /** Sends a command and waits for the response that carries its request id. */
  request(command: Command, requestId: number, what: string): Promise<BaseCommand> {
    if (this.closedReason) return Promise.reject(new ConnectionClosedError(`${what}: ${this.closedReason}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new TimeoutError(`${what}: no answer from ${this.address.url} within ${this.opts.operationTimeoutMs} ms`));
      }, this.opts.operationTimeoutMs);
      this.pending.set(requestId, { resolve, reject, timer, what });
      this.write(encodeCommand(command));
    });
  }

  send(command: Command): void {
    this.write(encodeCommand(command));
  }

  sendPayload(command: Command, metadata: MessageMetadata, payload: Uint8Array): void {
    this.write(encodePayloadCommand(command, metadata, payload));
  }

  /** Writes a ready frame; writes in one tick go out together. */
  write(frame: Buffer): void {
    if (this.closedReason) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(frame);
  }

  /** Bytes queued in the socket: producers stop adding when this grows (backpressure). */
  get writableLength(): number {
    return this.socket.writableLength;
  }

  close(): void {
    this.shutdown('connection closed by the client');
  }

  /** Unregisters a producer or consumer and tells the broker; a failure to tell is ignored. */
  async closeHandle(kind: 'producer' | 'consumer', id: number, what: string): Promise<void> {
    if (this.closed) return;
    const requestId = this.newRequestId();
    const command = kind === 'producer'
      ? { type: CommandType.CLOSE_PRODUCER, closeProducer: { producerId: id, requestId } }
      : { type: CommandType.CLOSE_CONSUMER, closeConsumer: { consumerId: id, requestId } };
    (kind === 'producer' ? this.producers : this.consumers).delete(id);
    await this.request(command, requestId, what).catch(() => undefined);
  }

  private async handshake(proxyTo?: string): Promise<void> {
    const connect: Record<string, unknown> = {
      clientVersion: CLIENT_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      featureFlags: { supportsAuthRefresh: true },
    };
    if (this.opts.auth) {
      connect.authMethodName = this.opts.auth.methodName;
      connect.authData = await this.opts.auth.getData();
    }
    if (proxyTo) connect.proxyToBrokerUrl = proxyTo.replace(/^pulsar(\+ssl)?:\/\//, '');
    const connected = await this.request({ type: CommandType.CONNECT, connect }, 0, `connect to ${this.address.url}`);
    this.serverVersion = connected.connected?.serverVersion ?? '';
    const max = connected.connected?.maxMessageSize;
    if (max) {
      this.maxMessageSize = max;
      this.reader.setMaxFrameSize(max + 10 * 1024);
    }
  }

  private onData(chunk: Buffer): void {
    this.lastReceived = Date.now();
    try {
      this.reader.push(chunk, (frame) => this.onFrame(frame));
    } catch (err) {
      this.shutdown(`bad frame from ${this.address.url}: ${(err as Error).message}`);
    }
  }

  private onFrame(frame: Buffer): void {
    let decoded;
    try {
      decoded = decodeFrame(frame);
    } catch (err) {
      const m = err instanceof ChecksumError && err.command.type === CommandType.MESSAGE ? err.command.message : undefined;
      if (!m) throw err;
      this.consumers.get(m.consumerId)?.handleCorruptMessage(m);
      return;
    }
    const cmd = decoded.command;
    switch (cmd.type) {
      case CommandType.MESSAGE: {
        const m = cmd.message!;
        this.consumers.get(m.consumerId)?.handleMessage(m, decoded.metadata!, decoded.payload!);
        return;
      }
      case CommandType.SEND_RECEIPT:
        this.producers.get(cmd.sendReceipt!.producerId)?.handleReceipt(cmd.sendReceipt!);
        return;
      case CommandType.SEND_ERROR:
        this.producers.get(cmd.sendError!.producerId)?.handleSendError(cmd.sendError!);
        return;
      case CommandType.PING:
        this.send({ type: CommandType.PONG, pong: {} });
        return;
      case CommandType.PONG:
        return;
      case CommandType.CONNECTED:
        this.settle(0, cmd);
        return;
      case CommandType.SUCCESS:
        this.settle(cmd.success!.requestId, cmd);
        return;
      case CommandType.PRODUCER_SUCCESS:
        // A producer waiting for exclusive access hears "not ready" first; the real answer follows.
        if (cmd.producerSuccess!.producerReady !== false) this.settle(cmd.producerSuccess!.requestId, cmd);
        return;
      case CommandType.LOOKUP_RESPONSE:
        this.settle(cmd.lookupTopicResponse!.requestId, cmd);
        return;
      case CommandType.PARTITIONED_METADATA_RESPONSE:
        this.settle(cmd.partitionMetadataResponse!.requestId, cmd);
        return;
      case CommandType.GET_LAST_MESSAGE_ID_RESPONSE:
        this.settle(cmd.getLastMessageIdResponse!.requestId, cmd);
        return;
      case CommandType.GET_TOPICS_OF_NAMESPACE_RESPONSE:
        this.settle(cmd.getTopicsOfNamespaceResponse!.requestId, cmd);
        return;
      case CommandType.ACK_RESPONSE:
        if (cmd.ackResponse!.requestId !== undefined) this.settle(cmd.ackResponse!.requestId, cmd);
        return;
      case CommandType.ERROR: {
        const e = cmd.error!;
        // A refused CONNECT (bad credentials) comes back with request id -1: it answers the handshake.
        const id = this.serverVersion === '' && !this.pending.has(e.requestId) ? 0 : e.requestId;
        const p = this.pending.get(id);
        if (p) {
          this.pending.delete(id);
          clearTimeout(p.timer);
          p.reject(new BrokerError(e.error, e.message, p.what));
        }
        return;
      }
      case CommandType.CLOSE_PRODUCER: {
        const id = cmd.closeProducer!.producerId;
        const h = this.producers.get(id);
        this.producers.delete(id);
        h?.handleDisconnect('the broker closed the producer');
        return;
      }
      case CommandType.CLOSE_CONSUMER: {
        const id = cmd.closeConsumer!.consumerId;
        const h = this.consumers.get(id);
        this.consumers.delete(id);
        h?.handleDisconnect('the broker closed the consumer');
        return;
      }
      case CommandType.TOPIC_MIGRATED: {
        const t = cmd.topicMigrated!;
        const map = t.resourceType === 0 ? this.producers : this.consumers;
        const h = map.get(t.resourceId);
        map.delete(t.resourceId);
        h?.handleDisconnect('the topic migrated to another cluster');
        return;
      }
      case CommandType.ACTIVE_CONSUMER_CHANGE:
        this.consumers.get(cmd.activeConsumerChange!.consumerId)?.handleActiveChange?.(cmd.activeConsumerChange!);
        return;
      case CommandType.REACHED_END_OF_TOPIC:
        this.consumers.get(cmd.reachedEndOfTopic!.consumerId)?.handleEndOfTopic?.();
        return;
      case CommandType.AUTH_CHALLENGE:
        void this.answerChallenge();
        return;
      default:
        return; // commands this client does not use
    }
  }

  private settle(requestId: number, cmd: BaseCommand): void {
    const p = this.pending.get(requestId);
    if (!p) return;
    this.pending.delete(requestId);
    clearTimeout(p.timer);
    p.resolve(cmd);
  }

  private async answerChallenge(): Promise<void> {
    if (!this.opts.auth) return;
    try {
      const authData = await this.opts.auth.getData();
      this.send({
        type: CommandType.AUTH_RESPONSE,
        authResponse: { clientVersion: CLIENT_VERSION, protocolVersion: PROTOCOL_VERSION, response: { authMethodName: this.opts.auth.methodName, authData } },
      });
    } catch (err) {
      this.shutdown(`cannot refresh credentials: ${(err as Error).message}`);
    }
  }

  private checkAlive(): void {
    if (Date.now() - this.lastReceived > 2 * this.opts.keepAliveIntervalMs) {
      this.shutdown(`no answer from ${this.address.url} for ${2 * this.opts.keepAliveIntervalMs} ms`);
      return;
    }
    this.send({ type: CommandType.PING, ping: {} });
  }

  private shutdown(reason: string): void {
    if (this.closedReason) return;
    this.closedReason = reason;
    clearInterval(this.keepAlive);
    this.socket.destroy();
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new ConnectionClosedError(`${p.what}: ${reason}`));
    }
    this.pending.clear();
    const producers = [...this.producers.values()];
    const consumers = [...this.consumers.values()];
    this.producers.clear();
    this.consumers.clear();
    for (const h of producers) h.handleDisconnect(reason);
    for (const h of consumers) h.handleDisconnect(reason);
    for (const l of this.closeListeners) l(reason);
  }
}

function dial(address: BrokerAddress, opts: ConnectionOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    let socket: net.Socket;
    if (address.tls) {
      const t = opts.tls ?? {};
      const options: tls.ConnectionOptions = { host: address.host, port: address.port, rejectUnauthorized: !t.allowInsecure };
      const read = (field: 'caFile' | 'certFile' | 'keyFile'): Buffer | undefined => {
        const file = t[field];
        if (file === undefined) return undefined;
        try {
          return readFileSync(file);
        } catch (err) {
          throw new PulsarClientError(`tls.${field} ${file}: ${(err as Error).message}`);
        }
      };
      try {
        options.ca = t.ca ?? read('caFile');
        if ((t.certFile === undefined) !== (t.keyFile === undefined)) {
          throw new PulsarClientError('tls: a client certificate needs both certFile and keyFile');
        }
        options.cert = read('certFile');
        options.key = read('keyFile');
      } catch (err) {
        reject(err);
        return;
      }
      // SNI takes host names only; an IP address is checked against the certificate's IP entries.
      if (!net.isIP(address.host)) options.servername = address.host;
      if (t.verifyHostname === false) options.checkServerIdentity = () => undefined;
      socket = tls.connect(options);
      socket.once('secureConnect', () => done());
    } else {
      socket = net.connect({ host: address.host, port: address.port });
      socket.once('connect', () => done());
    }
    socket.once('error', (err) => done(err));
    const timer = setTimeout(() => done(new TimeoutError(`no connection within ${opts.connectTimeoutMs} ms`)), opts.connectTimeoutMs);
    function done(err?: Error): void {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.removeAllListeners('connect');
      socket.removeAllListeners('secureConnect');
      if (err) {
        socket.destroy();
        reject(new PulsarClientError(`connect to ${address.url}: ${err.message}`, { cause: err }));
      } else {
        socket.setNoDelay(true);
        resolve(socket);
      }
    }
  });
}
