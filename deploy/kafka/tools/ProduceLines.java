import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes stdin lines "compression<TAB>key<TAB>value" with the official Java producer
 * (kafka-clients), one producer per compression type (none, gzip, snappy, lz4, zstd), for tests
 * that check the engine against what a standard producer writes. A single-file program:
 *
 *   java -cp 'deploy/kafka/.lib/4.1.2/*' deploy/kafka/tools/ProduceLines.java BROKERS TOPIC [name=value ...]
 *
 * The name=value arguments are more producer properties. Prints "sent N" once every record is
 * acknowledged (acks=all); exits non-zero on the first failure.
 */
public class ProduceLines {
  public static void main(String[] args) throws Exception {
    Map<String, KafkaProducer<String, String>> producers = new LinkedHashMap<>();
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        String[] parts = line.split("\t", 3);
        KafkaProducer<String, String> producer = producers.computeIfAbsent(parts[0], codec -> new KafkaProducer<>(properties(args, codec)));
        sent.add(producer.send(new ProducerRecord<>(args[1], parts[1], parts[2])));
      }
      for (KafkaProducer<String, String> producer : producers.values()) producer.flush();
      for (Future<RecordMetadata> future : sent) future.get();
    } finally {
      for (KafkaProducer<String, String> producer : producers.values()) producer.close();
    }
    System.out.println("sent " + sent.size());
  }

  private static Properties properties(String[] args, String compression) {
    Properties props = new Properties();
    props.put("bootstrap.servers", args[0]);
    props.put("acks", "all");
    props.put("linger.ms", "50");
    props.put("compression.type", compression);
    props.put("key.serializer", StringSerializer.class.getName());
    props.put("value.serializer", StringSerializer.class.getName());
    for (int i = 2; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      props.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    return props;
  }
}
