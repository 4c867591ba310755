// Writes test vectors for adapters/pulsar/binary/compression.ts: a few inputs, each compressed by
// Pulsar's own codecs (the ones its Java client uses for message payloads), as one JSON file.
//   java -cp … CompressionVectors OUT.json
// The inputs are made here, deterministically: short text, repetitive JSON, and bytes mixing a
// pseudo-random run with repeats (long literal runs, long matches, overlapping matches).
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.apache.pulsar.common.api.proto.CompressionType;
import org.apache.pulsar.common.compression.CompressionCodec;
import org.apache.pulsar.common.compression.CompressionCodecProvider;

public final class CompressionVectors {
  public static void main(String[] args) throws Exception {
    Map<String, byte[]> inputs = new LinkedHashMap<>();
    inputs.put("short-text", "hello pulsar".getBytes(StandardCharsets.UTF_8));
    StringBuilder json = new StringBuilder();
    for (int i = 0; i < 120; i++) json.append("{\"id\":").append(i).append(",\"fn\":\"exclamation\",\"ok\":true}\n");
    inputs.put("json-lines", json.toString().getBytes(StandardCharsets.UTF_8));
    byte[] mixed = new byte[20000];
    new Random(12).nextBytes(mixed);
    for (int i = 6000; i < 14000; i++) mixed[i] = (byte) (i % 7); // a period shorter than a match
    System.arraycopy(mixed, 0, mixed, 15000, 3000);                 // a long far match
    inputs.put("mixed", mixed);

    ObjectMapper json2 = new ObjectMapper();
    ArrayNode out = json2.createArrayNode();
    for (Map.Entry<String, byte[]> in : inputs.entrySet()) {
      ObjectNode v = out.addObject();
      v.put("name", in.getKey()).put("input", Base64.getEncoder().encodeToString(in.getValue()));
      ObjectNode compressed = v.putObject("compressed");
      for (CompressionType t : new CompressionType[] {CompressionType.LZ4, CompressionType.ZLIB, CompressionType.ZSTD, CompressionType.SNAPPY}) {
        CompressionCodec codec = CompressionCodecProvider.getCompressionCodec(t);
        ByteBuf src = Unpooled.directBuffer(in.getValue().length);
        src.writeBytes(in.getValue());
        ByteBuf enc = codec.encode(src);
        byte[] bytes = new byte[enc.readableBytes()];
        enc.getBytes(enc.readerIndex(), bytes);
        compressed.put(t.name(), Base64.getEncoder().encodeToString(bytes));
        compressed.put(t.name() + "_type", t.getValue());
      }
    }
    json2.writerWithDefaultPrettyPrinter().writeValue(new File(args[0]), out);
  }
}
