import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import { explainKafkaError } from './kafka-message-bus';

describe('explainKafkaError', () => {
  it('names KAFKA_BROKERS when the brokers cannot be reached, instead of a bare retry error', () => {
    const raw = new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9'), {
      retryCount: 5,
      retryTime: 1000,
    });
    const explained = explainKafkaError(raw, ['127.0.0.1:9']);
    expect(explained.message).toBe(
      'Kafka at KAFKA_BROKERS=127.0.0.1:9 cannot be reached: KafkaJSConnectionError: Connection error: connect ECONNREFUSED 127.0.0.1:9',
    );
    expect(explainKafkaError(explained, ['127.0.0.1:9'])).toBe(explained);
  });

  it('points at the SASL and TLS settings for their failures', () => {
    expect(explainKafkaError(new Error('SASL SCRAM SHA256 authentication failed: Authentication failed'), ['b:9093']).message).toMatch(
      /^Kafka at KAFKA_BROKERS=b:9093 refused the credentials \(check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD\)/,
    );
    expect(explainKafkaError(new KafkaJSConnectionError('Connection error: self-signed certificate in certificate chain'), ['b:9093']).message).toMatch(
      /^TLS to Kafka at KAFKA_BROKERS=b:9093 failed \(check KAFKA_SSL and KAFKA_SSL_CA_FILE/,
    );
  });
});
