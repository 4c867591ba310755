// The Java side of the interoperability tests and the pulsar-client bench: Pulsar's own Java
// client, driven over stdin/stdout with JSON lines. Compiled at test time against the Pulsar jars
// hack/build-pulsar assembled (test/support/java-interop.ts).
//
//   produce URL TOPIC [--batching true|false] [--batch-max N] [--batch-delay-ms N]
//           [--compression NONE|LZ4|ZLIB|ZSTD|SNAPPY] [--chunk-bytes N] [--max-pending N]
//     reads {"payload":base64,"key"?,"properties"?,"eventTime"?} lines from stdin and sends each as
//     it arrives; prints {"ready":true} once the producer is connected and {"sent":i,"id":{…}} for
//     each receipt (i counts input lines from 0); exits 0 after stdin closes and all are stored.
//   consume URL TOPIC --subscription S [--count N] [--type Exclusive|Shared|Failover|Key_Shared]
//           [--initial earliest|latest] [--idle-ms N]
//     prints {"ready":true} once subscribed, then one JSON line per message (acknowledged after
//     printing); exits 0 after N messages, 3 after idle-ms without a message.
//   bench-produce URL TOPIC --count N --size B [--warmup W]   prints {"op":"produce","msgs":N,"seconds":s}
//   bench-consume URL TOPIC --subscription S --count N [--warmup W]   reads an existing backlog
//     from earliest. --warmup: first produce and consume W messages on TOPIC-warmup in the same
//     JVM, so that the measured run is not the JIT's first.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.CompressionType;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.MessageIdAdv;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.ProducerBuilder;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.apache.pulsar.client.api.SubscriptionType;
import org.apache.pulsar.client.api.TypedMessageBuilder;

public final class PulsarInterop {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  public static void main(String[] args) throws Exception {
    if (args.length < 3) usage("need MODE URL TOPIC");
    Map<String, String> opts = new HashMap<>();
    for (int i = 3; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) usage("bad option " + args[i]);
      opts.put(args[i].substring(2), args[i + 1]);
    }
    try (PulsarClient client = PulsarClient.builder().serviceUrl(args[1])
        .operationTimeout(60, TimeUnit.SECONDS).build()) {
      switch (args[0]) {
        case "produce" -> produce(client, args[2], opts);
        case "consume" -> System.exit(consume(client, args[2], opts));
        case "bench-produce" -> benchProduce(client, args[2], opts);
        case "bench-consume" -> benchConsume(client, args[2], opts);
        default -> usage("unknown mode " + args[0]);
      }
    }
    System.exit(0);
  }

  private static void usage(String why) {
    System.err.println("PulsarInterop: " + why + " (see the comment at the top of PulsarInterop.java)");
    System.exit(2);
  }

  private static synchronized void emit(ObjectNode line) {
    OUT.println(line.toString());
  }

  private static ProducerBuilder<byte[]> producer(PulsarClient client, String topic, Map<String, String> o) {
    ProducerBuilder<byte[]> b = client.newProducer(Schema.BYTES).topic(topic)
        .sendTimeout(0, TimeUnit.SECONDS).blockIfQueueFull(true)
        .compressionType(CompressionType.valueOf(o.getOrDefault("compression", "NONE")));
    if (o.containsKey("max-pending")) b.maxPendingMessages(Integer.parseInt(o.get("max-pending")));
    if (o.containsKey("chunk-bytes")) {
      b.enableBatching(false).enableChunking(true).chunkMaxMessageSize(Integer.parseInt(o.get("chunk-bytes")));
    } else {
      b.enableBatching(Boolean.parseBoolean(o.getOrDefault("batching", "true")))
          .batchingMaxMessages(Integer.parseInt(o.getOrDefault("batch-max", "1000")))
          .batchingMaxPublishDelay(Long.parseLong(o.getOrDefault("batch-delay-ms", "10")), TimeUnit.MILLISECONDS);
    }
    return b;
  }

  private static ObjectNode id(MessageId id) {
    ObjectNode n = JSON.createObjectNode();
    if (id instanceof MessageIdAdv a) {
      n.put("ledgerId", a.getLedgerId()).put("entryId", a.getEntryId())
          .put("partition", a.getPartitionIndex()).put("batchIndex", a.getBatchIndex());
    }
    n.put("text", id.toString());
    return n;
  }

  private static void produce(PulsarClient client, String topic, Map<String, String> o) throws Exception {
    try (Producer<byte[]> producer = producer(client, topic, o).create()) {
      emit(JSON.createObjectNode().put("ready", true));
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      List<CompletableFuture<MessageId>> pending = new ArrayList<>();
      String line;
      int i = 0;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) continue;
        JsonNode m = JSON.readTree(line);
        TypedMessageBuilder<byte[]> msg = producer.newMessage().value(Base64.getDecoder().decode(m.get("payload").asText()));
        if (m.hasNonNull("key")) msg.key(m.get("key").asText());
        if (m.hasNonNull("eventTime")) msg.eventTime(m.get("eventTime").asLong());
        if (m.has("properties")) {
          for (Iterator<Map.Entry<String, JsonNode>> it = m.get("properties").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> p = it.next();
            msg.property(p.getKey(), p.getValue().asText());
          }
        }
        final int index = i++;
        pending.add(msg.sendAsync().whenComplete((id, err) -> {
          if (err != null) emit(JSON.createObjectNode().put("sent", index).put("error", err.toString()));
          else emit(JSON.createObjectNode().put("sent", index).set("id", id(id)));
        }));
      }
      producer.flush();
      CompletableFuture.allOf(pending.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);
    }
  }

  private static Consumer<byte[]> subscribe(PulsarClient client, String topic, Map<String, String> o) throws Exception {
    if (!o.containsKey("subscription")) usage("--subscription is required");
    return client.newConsumer(Schema.BYTES).topic(topic).subscriptionName(o.get("subscription"))
        .subscriptionType(SubscriptionType.valueOf(o.getOrDefault("type", "Exclusive")))
        .subscriptionInitialPosition("latest".equals(o.get("initial"))
            ? SubscriptionInitialPosition.Latest : SubscriptionInitialPosition.Earliest)
        .receiverQueueSize(Integer.parseInt(o.getOrDefault("queue", "1000")))
        .subscribe();
  }

  private static int consume(PulsarClient client, String topic, Map<String, String> o) throws Exception {
    long count = Long.parseLong(o.getOrDefault("count", String.valueOf(Long.MAX_VALUE)));
    int idleMs = Integer.parseInt(o.getOrDefault("idle-ms", "60000"));
    try (Consumer<byte[]> consumer = subscribe(client, topic, o)) {
      emit(JSON.createObjectNode().put("ready", true));
      for (long got = 0; got < count; got++) {
        Message<byte[]> m = consumer.receive(idleMs, TimeUnit.MILLISECONDS);
        if (m == null) return 3;
        ObjectNode n = JSON.createObjectNode();
        n.put("payload", Base64.getEncoder().encodeToString(m.getData()));
        if (m.hasKey()) n.put("key", m.getKey());
        ObjectNode props = n.putObject("properties");
        m.getProperties().forEach(props::put);
        n.put("eventTime", m.getEventTime()).put("publishTime", m.getPublishTime())
            .put("producerName", m.getProducerName()).put("redeliveryCount", m.getRedeliveryCount());
        n.set("id", id(m.getMessageId()));
        emit(n);
        consumer.acknowledge(m);
      }
      return 0;
    }
  }

  private static double timedProduce(PulsarClient client, String topic, Map<String, String> o, int count) throws Exception {
    byte[] payload = new byte[Integer.parseInt(o.getOrDefault("size", "100"))];
    try (Producer<byte[]> producer = producer(client, topic, o).create()) {
      long t0 = System.nanoTime();
      CompletableFuture<MessageId> last = null;
      for (int i = 0; i < count; i++) last = producer.sendAsync(payload);
      producer.flush();
      last.get(300, TimeUnit.SECONDS);
      return (System.nanoTime() - t0) / 1e9;
    }
  }

  private static double timedConsume(PulsarClient client, String topic, Map<String, String> o, int count) throws Exception {
    long t0 = System.nanoTime();
    try (Consumer<byte[]> consumer = subscribe(client, topic, o)) {
      for (int i = 0; i < count; i++) {
        Message<byte[]> m = consumer.receive(60, TimeUnit.SECONDS);
        if (m == null) throw new IllegalStateException("bench-consume: no message for 60 s after " + i);
        consumer.acknowledgeAsync(m.getMessageId());
      }
      return (System.nanoTime() - t0) / 1e9;
    }
  }

  private static void warmUp(PulsarClient client, String topic, Map<String, String> o, boolean consume) throws Exception {
    int warm = Integer.parseInt(o.getOrDefault("warmup", "0"));
    if (warm == 0) return;
    Map<String, String> w = new HashMap<>(o);
    w.putIfAbsent("subscription", "warmup");
    timedProduce(client, topic + "-warmup", w, warm);
    if (consume) timedConsume(client, topic + "-warmup", w, warm);
  }

  private static void benchProduce(PulsarClient client, String topic, Map<String, String> o) throws Exception {
    int count = Integer.parseInt(o.get("count"));
    warmUp(client, topic, o, false);
    emit(JSON.createObjectNode().put("op", "produce").put("msgs", count).put("seconds", timedProduce(client, topic, o, count)));
  }

  private static void benchConsume(PulsarClient client, String topic, Map<String, String> o) throws Exception {
    int count = Integer.parseInt(o.get("count"));
    warmUp(client, topic, o, true);
    emit(JSON.createObjectNode().put("op", "consume").put("msgs", count).put("seconds", timedConsume(client, topic, o, count)));
  }
}
